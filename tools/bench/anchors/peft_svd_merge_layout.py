"""Runs torch_peft_svd_merge.py (a verbatim copy of ../shared/anchors/torch_peft_svd_merge.py) for ONE of its
layouts, with that layout's own number of timed modules, and adds the process's peak resident memory: one process
per layout, so each layout's peak is its own. Used by packages/weight-space/bench/adapter-arithmetic.mjs.
Usage: /usr/bin/python3 peft_svd_merge_layout.py LAYOUT_INDEX MODULES_TIMED  -> one JSON line (the anchor's, plus peakRssMb)."""
import contextlib, importlib.util, io, json, os, resource, sys

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("torch_peft_svd_merge", os.path.join(here, "torch_peft_svd_merge.py"))
anchor = importlib.util.module_from_spec(spec)
spec.loader.exec_module(anchor)  # defines LAYOUTS and main(); main() only runs under __main__

index, timed = int(sys.argv[1]), sys.argv[2]
anchor.LAYOUTS = [anchor.LAYOUTS[index]]
sys.argv = [sys.argv[0], timed]
out = io.StringIO()
with contextlib.redirect_stdout(out):
    anchor.main()
row = json.loads(out.getvalue().strip().splitlines()[-1])
row["peakRssMb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes
print(json.dumps(row), flush=True)
