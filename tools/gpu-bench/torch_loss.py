"""The PyTorch anchor's own factored loss (its `factored_losses`: angular + spectral on factored dW), forward and
backward alone, on the shapes of our `loss fwd+bwd` workload: one FLAN-T5-large adapter, 144 positions (A and B of
each as separate tokens, as the anchor lays them out), r 16, 1024 x 1024, fp32. Imports the anchor from the folder it
was copied into: importing runs it (it has no main guard), so its own JSON lines come first and this one script stands
for running the anchor. Prints one more JSON line."""
import json, os, sys
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_loragen_anchor as anchor  # noqa: E402  (runs the anchor)

pred = (torch.randn(1, anchor.N, anchor.TOK, device=anchor.dev) * 0.02).requires_grad_()
target = torch.randn(1, anchor.N, anchor.TOK, device=anchor.dev) * 0.02


def step():
    pred.grad = None
    ang, spec = anchor.factored_losses(pred, target)
    (ang + 2 * spec).backward()


ms = anchor.timeit(step, 20)
positions = anchor.N // 2
print(json.dumps({"anchor": f"factored loss fwd+bwd (the anchor's factored_losses), {positions} positions, r {anchor.R}, "
                  f"{anchor.D} x {anchor.D}, fp32, PyTorch {torch.__version__}", "ms": round(ms, 2)}))
