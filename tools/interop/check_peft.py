#!/usr/bin/env python3
"""Interop check: adapters written by @loragen/lora-io's writePeftAdapter load in Python PEFT.

For each case folder under DIR (made by tools/interop/make-adapters.mjs): load the base model from the
fixture's base/ copy, PeftModel.from_pretrained(base, case/adapter), and compare, per LoRA module,
  - PEFT's scaling with the one lora-io computed,
  - the LoRA factors PEFT loaded with the expected float32 values (expected.bin, written without safetensors),
  - PEFT's merged weight update (get_delta_weight, and merged weight minus base weight after merge_and_unload)
    with scaling * B @ A computed here in float64 from expected.bin.
Prints the max relative error per module (max |got - want| / max |want|) and exits non-zero on a failure.
Usage: python3 tools/interop/check_peft.py .device/interop
"""
import json
import os
import sys

import numpy as np
import torch
import peft
import transformers
from peft import PeftModel
from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSeq2SeqLM

TOL = {"F32": 1e-6, "BF16": 1e-6}


def load_base(path):
    cfg = AutoConfig.from_pretrained(path)
    cls = AutoModelForSeq2SeqLM if cfg.is_encoder_decoder else AutoModelForCausalLM
    return cls.from_pretrained(path, torch_dtype=torch.float32).eval()


def rel(got, want):
    return float(np.max(np.abs(got - want)) / max(np.max(np.abs(want)), 1e-30))


def check_case(root, case):
    d = os.path.join(root, case)
    exp = json.load(open(os.path.join(d, "expected.json")))
    raw = open(os.path.join(d, "expected.bin"), "rb").read()
    base_dir = os.path.join(root, open(os.path.join(d, "base.txt")).read().strip())
    tol = TOL[exp["dtype"]]

    base = load_base(base_dir)
    base_weights = {k: v.detach().clone() for k, v in base.state_dict().items()}
    model = PeftModel.from_pretrained(base, os.path.join(d, "adapter")).eval()
    modules = dict(model.named_modules())
    worst = 0.0
    ok = True
    rows = []
    for m in exp["modules"]:
        r, din, dout = m["rank"], m["dIn"], m["dOut"]
        A = np.frombuffer(raw, dtype="<f4", count=r * din, offset=m["A_offset"]).reshape(r, din)
        B = np.frombuffer(raw, dtype="<f4", count=dout * r, offset=m["B_offset"]).reshape(dout, r)
        want = m["scaling"] * (B.astype(np.float64) @ A.astype(np.float64))
        layer = modules[m["name"]]
        peft_scaling = float(layer.scaling["default"])
        got_A = layer.lora_A["default"].weight.detach().double().numpy()
        got_B = layer.lora_B["default"].weight.detach().double().numpy()
        factors_exact = got_A.shape == A.shape and got_B.shape == B.shape and np.array_equal(got_A, A) and np.array_equal(got_B, B)
        delta = layer.get_delta_weight("default").detach().double().numpy()
        e_delta = rel(delta, want)
        rows.append([m["name"], peft_scaling, m["scaling"], factors_exact, e_delta, None])
    merged = model.merge_and_unload()
    merged_weights = merged.state_dict()
    for row in rows:
        key = row[0][len("base_model.model."):] + ".weight"
        m = next(x for x in exp["modules"] if x["name"] == row[0])
        r, din, dout = m["rank"], m["dIn"], m["dOut"]
        A = np.frombuffer(raw, dtype="<f4", count=r * din, offset=m["A_offset"]).reshape(r, din)
        B = np.frombuffer(raw, dtype="<f4", count=dout * r, offset=m["B_offset"]).reshape(dout, r)
        want = m["scaling"] * (B.astype(np.float64) @ A.astype(np.float64))
        got = merged_weights[key].double().numpy() - base_weights[key].double().numpy()
        row[5] = rel(got, want)
    print(f"== {case}: dtype {exp['dtype']}, {len(rows)} modules, tolerance {tol:g} (delta) / merged minus base reported")
    for name, ps, ours, exact, e_delta, e_merged in rows:
        good = ps == ours and exact and e_delta <= tol
        ok &= good
        worst = max(worst, e_delta)
        print(f"  {'ok  ' if good else 'FAIL'} {name}: scaling peft={ps:g} lora-io={ours:g} factors_exact={exact} "
              f"max_rel_err(delta)={e_delta:.2e} max_rel_err(merged-base)={e_merged:.2e}")
    return ok, worst


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else ".device/interop"
    print(f"torch {torch.__version__}, transformers {transformers.__version__}, peft {peft.__version__}")
    torch.manual_seed(0)
    cases = sorted(c for c in os.listdir(root) if os.path.exists(os.path.join(root, c, "expected.json")))
    all_ok = True
    for case in cases:
        ok, worst = check_case(root, case)
        all_ok &= ok
    print("ALL OK" if all_ok and cases else "FAILED")
    sys.exit(0 if all_ok and cases else 1)


if __name__ == "__main__":
    main()
