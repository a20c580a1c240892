#!/usr/bin/env bash
# Installs the system pieces the test suite needs, idempotently:
#  - Debian 12's Vulkan loader + Mesa (brings every library lavapipe links to),
#  - Mesa 25's lavapipe from bookworm-backports, unpacked into .vendor/ (Debian 12's own
#    Mesa 22 lavapipe exposes no adapter Dawn accepts), with an ICD json pointing at it,
#  - Debian's chromium for the browser end-to-end test (when LORAGEN_WITH_CHROMIUM=1).
# Prints the environment to export (VK_ICD_FILENAMES, LD_LIBRARY_PATH) on its last lines.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
vendor="$root/.vendor"
lvp="$vendor/lavapipe"
mkdir -p "$vendor"

need=(libvulkan1 mesa-vulkan-drivers)
[ "${LORAGEN_WITH_CHROMIUM:-0}" = 1 ] && need+=(chromium)
missing=()
for p in "${need[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-system-deps: apt-get install ${missing[*]}" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

if [ ! -f "$lvp/icd.json" ]; then
  # A private apt list for bookworm-backports: nothing system-wide is changed.
  mirror=$(grep -hoE 'https?://deb\.debian\.org/debian\b' /etc/apt/sources.list.d/* /etc/apt/sources.list 2>/dev/null | head -n1 || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  apt_dir="$vendor/apt"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/debs"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror bookworm-backports main" >"$apt_dir/sources.list"
  opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=-" -o "Dir::State::Lists=$apt_dir/lists")
  apt-get "${opts[@]}" update -qq >&2
  (cd "$apt_dir/debs" && apt-get "${opts[@]}" download mesa-vulkan-drivers/bookworm-backports libdrm2/bookworm-backports >&2)
  rm -rf "$lvp.tmp" && mkdir -p "$lvp.tmp"
  for deb in "$apt_dir"/debs/*.deb; do dpkg-deb -x "$deb" "$lvp.tmp"; done
  so=$(find "$lvp.tmp" -name libvulkan_lvp.so | head -n1)
  [ -n "$so" ] || { echo "install-system-deps: libvulkan_lvp.so not found in backports debs" >&2; exit 1; }
  so=${so/#$lvp.tmp/$lvp}
  rm -rf "$lvp" && mv "$lvp.tmp" "$lvp"
  printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$so" >"$lvp/icd.json.tmp"
  mv "$lvp/icd.json.tmp" "$lvp/icd.json"
fi

drm=$(dirname "$(find "$lvp" -name 'libdrm.so.2' | head -n1)")
echo "export VK_ICD_FILENAMES=$lvp/icd.json"
echo "export LD_LIBRARY_PATH=$drm\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
echo "export XDG_RUNTIME_DIR=\${XDG_RUNTIME_DIR:-/tmp}"
