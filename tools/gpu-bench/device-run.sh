#!/usr/bin/env bash
# On the GPU machine, in the repository root, with .gl and .device/gpu carried (tools/gpu-bench/prepare-carry.sh):
# installs the Vulkan loader, unpacks Node and Dawn, then in the same call runs our WebGPU workloads, the packages'
# kernel-count tables (WebGPU kernels vs tfjs ops, per loss call and per sampling step) and the PyTorch anchor (with
# its factored loss timed alone), and
# writes everything to $OUT: webgpu.json, kernels.md, torch.jsonl, gpu.txt, log.txt.
# BUNDLE and GL_DEBS name the two folders where they are not .device/gpu and .gl (a bundle prepared in another worktree,
# copied into an ignored folder of the checkout that the device call sends).
set -uo pipefail
bundle=${BUNDLE:-.device/gpu}
gl=${GL_DEBS:-.gl}
out=${OUT:-/tmp/gpu-bench-out}
mkdir -p "$out"
exec > >(tee "$out/log.txt") 2>&1
for f in "$gl"/*.deb; do dpkg -x "$f" /; done
ldconfig
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json \
  __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json XDG_RUNTIME_DIR=/tmp
bin=/tmp/gpu-bench-bin
mkdir -p "$bin"
xz -dc "$bundle"/node.xz >"$bin/node" && chmod +x "$bin/node"
xz -dc "$bundle"/dawn.node.xz >"$bin/dawn.node"
export DAWN_NODE=$bin/dawn.node PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$out/gpu.txt"
"$bin/node" "$bundle"/bench.mjs --backend webgpu --reps "${REPS:-5}" ${QUICK:+--quick} --out "$out/webgpu.json"
"$bin/node" "$bundle"/kernel-counts.mjs webgpu | tee "$out/kernels.md"
# the anchor (run by importing it), then its factored loss alone
python3 "$bundle"/torch_loss.py | tee "$out/torch.jsonl"
echo "done: $(ls "$out")"
