#!/usr/bin/env bash
# Prepares what the GPU machine needs (it has no Node, no node_modules and no network) in two git-ignored folders
# of the repository, to be named in the device call's `carry`:
#   .device/gpu/  node.xz (this machine's Node, xz), dawn.node.xz (Dawn's addon from the `webgpu` package),
#                 bench.mjs + kernel-counts.mjs (tfjs, the webgpu backend and our packages, bundled from source),
#                 the PyTorch anchor (torch_loragen_anchor.py from ../shared/anchors) and torch_loss.py, which
#                 imports it and also times its factored loss alone
#   .gl/          the Vulkan/EGL loader packages Dawn needs there (Debian 12 amd64 .debs, see ENVIRONMENT.md)
# Then run tools/gpu-bench/device-run.sh there (see tools/gpu-bench/README.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=.device/gpu
mkdir -p "$out" .gl
node tools/gpu-bench/bundle.mjs "$out/bench.mjs"
xz -T2 -c "$(command -v node)" >"$out/node.xz"
xz -T2 -c node_modules/webgpu/dist/linux-x64/dawn.node >"$out/dawn.node.xz"
anchors=${LORAGEN_ANCHORS:-$root/../shared/anchors}
[ -d "$anchors" ] || anchors=/work/shared/anchors
cp "$anchors/torch_loragen_anchor.py" tools/gpu-bench/torch_loss.py tools/gpu-bench/device-run.sh "$out/"
if ! ls .gl/*.deb >/dev/null 2>&1; then
  lists=$(mktemp -d)
  o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists")
  mkdir -p "$lists/partial"
  apt-get "${o[@]}" update -qq
  (cd .gl && apt-get "${o[@]}" download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi
du -sh "$out" .gl
echo "carry: [\".gl\", \".device/gpu\"]; command: bash tools/gpu-bench/device-run.sh"
