"""CPU anchor: factored vs materialised angular+spectral loss, forward+backward, in PyTorch (Debian python3-torch).
Usage: /usr/bin/python3 torch_cpu_losses.py [materialised positions per layout, 0 = skip]  -> one JSON line per layout.
Copied from ../shared/anchors/torch_cpu_losses.py for @loragen/weight-space's benchmark; changes: the number of
materialised positions is an argument (the full SVDs take minutes), and Gemma-2-2B v_proj (2304 -> 1024) is added."""
import json, sys, time, torch
torch.set_num_threads(2)
torch.manual_seed(0)

def factored(A, B, Ah, Bh):
    inner = ((B.transpose(-1, -2) @ Bh) * (A @ Ah.transpose(-1, -2))).sum((-1, -2))
    nh = ((Bh.transpose(-1, -2) @ Bh) * (Ah @ Ah.transpose(-1, -2))).sum((-1, -2)).sqrt()
    n = ((B.transpose(-1, -2) @ B) * (A @ A.transpose(-1, -2))).sum((-1, -2)).sqrt()
    _, RB = torch.linalg.qr(B); _, RA = torch.linalg.qr(A.transpose(-1, -2))
    _, RBh = torch.linalg.qr(Bh); _, RAh = torch.linalg.qr(Ah.transpose(-1, -2))
    sv = torch.linalg.svdvals(RB @ RA.transpose(-1, -2)); svh = torch.linalg.svdvals(RBh @ RAh.transpose(-1, -2))
    return (1 - inner / (n * nh)).mean() + (svh - sv).abs().mean()

def materialised(A, B, Ah, Bh):
    r = A.shape[-2]
    dW = B @ A; dWh = Bh @ Ah
    cos = (dW * dWh).sum((-1, -2)) / (dW.norm(dim=(-1, -2)) * dWh.norm(dim=(-1, -2)))
    sv = torch.linalg.svdvals(dW)[..., :r]; svh = torch.linalg.svdvals(dWh)[..., :r]
    return (1 - cos).mean() + (svh - sv).abs().mean()

def bench(f, args, reps):
    for _ in range(1):
        f(*args).backward()
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); f(*args).backward(); ts.append(time.perf_counter() - t)
    ts.sort(); return ts[len(ts) // 2] * 1e3

SUB = int(sys.argv[1]) if len(sys.argv) > 1 else None
for name, P, dout, din, r, sub in [("flan-t5-large q,v x3 kinds", 144, 1024, 1024, 16, 4),
                                   ("gemma-2-2b q_proj", 26, 2048, 2304, 8, 2),
                                   ("gemma-2-2b v_proj", 26, 1024, 2304, 8, 2)]:
    sub = sub if SUB is None else SUB
    mk = lambda p: (torch.randn(p, r, din), torch.randn(p, dout, r),
                    torch.randn(p, r, din, requires_grad=True), torch.randn(p, dout, r, requires_grad=True))
    f_ms = bench(factored, mk(P), 5)
    m_ms = bench(materialised, mk(sub), 1) * P / sub if sub else None
    print(json.dumps({"layout": name, "positions": P, "dOut": dout, "dIn": din, "r": r,
                      "torch_cpu_factored_ms": round(f_ms, 1),
                      "torch_cpu_materialised_ms_extrapolated": None if m_ms is None else round(m_ms, 0),
                      "materialised_measured_on_positions": sub, "threads": torch.get_num_threads()}))
