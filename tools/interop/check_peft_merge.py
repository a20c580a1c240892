#!/usr/bin/env python3
"""Merge interop check: adapters written by `loragen merge` / `loragen compress` load in Python PEFT and equal
PEFT's own dense merge of the same inputs.

For each case of DIR/cases.json (made by tools/interop/make-merge-adapters.mjs): load the fixture's base model, our
output with PeftModel.from_pretrained, and the inputs as adapters of one PeftModel; per LoRA module compare
  - our update (get_delta_weight) with the exact weighted sum sum_i w_i get_delta_weight(input_i), in float64: equal
    for the exact merge (1e-5 relative), and for a budget an error equal to the norm of the dropped singular values
    (Eckart-Young, 1e-4), as reported in cases.json;
  - where PEFT has the same operation, our update with PEFT's add_weighted_adapter(..., combination_type) result
    ("cat" for the exact merge, "svd" with svd_rank for a rank budget): 1e-4 relative.
Exits non-zero on a failure. Usage: python3 tools/interop/check_peft_merge.py .device/interop-merge
"""
import json
import os
import sys

import torch
import peft
import transformers
from peft import PeftModel
from transformers import AutoModelForCausalLM

TOL_EXACT, TOL_BUDGET = 1e-5, 1e-4


def deltas(model, adapter):
    out = {}
    for name, module in model.named_modules():
        if hasattr(module, "lora_A") and adapter in module.lora_A:
            out[name] = module.get_delta_weight(adapter).detach().double()
    return out


def unit_scaled(model, merged, adapter):
    """PEFT's merged update as PEFT means it. add_weighted_adapter folds each input's scaling into the factors and
    gives the new adapter lora_alpha = r, i.e. scaling 1, but copies the rest of the first input's config: when that
    input is rsLoRA the new adapter gets scaling r / sqrt(r) = sqrt(r) (3 for the rank-9 concat, sqrt(3) for
    svd_rank 3). Divide that back out so the comparison is of the merge itself."""
    scalings = {name: module.scaling[adapter] for name, module in model.named_modules() if hasattr(module, "scaling") and adapter in module.lora_A}
    return {name: d / scalings[name] for name, d in merged.items()}


def rel(x, y):
    return float((x - y).norm() / max(float(y.norm()), 1e-30))


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else ".device/interop-merge"
    print(f"torch {torch.__version__}, transformers {transformers.__version__}, peft {peft.__version__}")
    cases = json.load(open(os.path.join(root, "cases.json")))
    base_dir = os.path.join(root, "base")
    ok = True
    for case in cases:
        load = lambda: AutoModelForCausalLM.from_pretrained(base_dir, torch_dtype=torch.float32).eval()
        ours = deltas(PeftModel.from_pretrained(load(), os.path.join(root, case["name"])), "default")
        names = case["inputs"]
        model = PeftModel.from_pretrained(load(), os.path.join(root, "inputs", names[0]), adapter_name=names[0])
        for n in names[1:]:
            model.load_adapter(os.path.join(root, "inputs", n), adapter_name=n)
        inputs = [deltas(model, n) for n in names]
        peft_merged = None
        if case["peft"]:
            model.add_weighted_adapter(names, case["weights"], "peft_merge", **case["peft"])
            peft_merged = unit_scaled(model, deltas(model, "peft_merge"), "peft_merge")
        print(f"== {case['name']}: {len(ours)} modules, PEFT's own merge: {case['peft'] or 'none (no energy budget in PEFT)'}")
        for report in case["report"]:
            name = report["name"][len("base_model.model."):] if report["name"].startswith("base_model.model.") else report["name"]
            key = next(k for k in ours if k.endswith(name))
            exact = sum(w * d[key] for w, d in zip(case["weights"], inputs))
            sigma = torch.linalg.svdvals(exact)
            dropped = float(sigma[report["rank"]:].norm())
            error = float((ours[key] - exact).norm())
            good = (error <= TOL_EXACT * float(exact.norm())) if dropped <= 1e-9 * float(exact.norm()) else abs(error - dropped) <= TOL_BUDGET * dropped
            good &= abs(report["relativeError"] - dropped / float(exact.norm())) <= TOL_BUDGET * max(dropped / float(exact.norm()), 1e-6)
            vs_peft = rel(ours[key], peft_merged[key]) if peft_merged is not None else None
            good &= vs_peft is None or vs_peft <= TOL_BUDGET
            ok &= good
            print(f"  {'ok  ' if good else 'FAIL'} {key}: rank {report['rank']} error {error:.4e} dropped sigma {dropped:.4e} "
                  f"reported {report['relativeError']:.3e} vs PEFT {'-' if vs_peft is None else f'{vs_peft:.2e}'}")
    print("ALL OK" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
