#!/usr/bin/env bash
# Installs a software Vulkan driver (Mesa lavapipe >= 25, from bookworm-backports) into
# .cache/lavapipe so Dawn can run the WGSL shaders on a machine without a GPU.
# Debian 12's own lavapipe (Mesa 22.3) lacks features Dawn requires.
# Prints the path of the ICD json to export as VK_DRIVER_FILES.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/.cache/lavapipe"
icd="$dest/lvp_icd.json"
# Already installed here (the json names this folder's library): done.
if [ -f "$icd" ] && grep -q "\"$dest/libvulkan_lvp.so\"" "$icd" && [ -f "$dest/libvulkan_lvp.so" ]; then echo "$icd"; exit 0; fi

# The Vulkan loader and the libraries libvulkan_lvp.so links against (Debian 12 packages).
deps=(libvulkan1 libllvm15 libdrm2 libwayland-client0 libx11-xcb1 libxcb1 libxcb-dri3-0 libxcb-present0
  libxcb-randr0 libxcb-shm0 libxcb-sync1 libxcb-xfixes0 libxshmfence1 libxml2 libz3-4 libzstd1 libexpat1 libelf1)
missing=()
for p in "${deps[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/parts" "$work/lists/partial" "$work/cache/archives/partial"
cat > "$work/parts/backports.sources" <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
apt_opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$work/parts"
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o APT::Sandbox::User=root)
apt-get "${apt_opts[@]}" update -qq >&2
(cd "$work" && apt-get "${apt_opts[@]}" download mesa-vulkan-drivers >&2)
mkdir -p "$dest"
dpkg -x "$work"/mesa-vulkan-drivers_*.deb "$work/root"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
cp "$work/root/usr/lib/$multiarch/libvulkan_lvp.so" "$dest/"
if ldd "$dest/libvulkan_lvp.so" | grep -q 'not found'; then
  echo "lavapipe cannot load; missing libraries:" >&2
  ldd "$dest/libvulkan_lvp.so" | grep 'not found' >&2
  rm -f "$dest/libvulkan_lvp.so"
  exit 1
fi
cat > "$icd" <<JSON
{ "file_format_version": "1.0.1",
  "ICD": { "library_path": "$dest/libvulkan_lvp.so", "api_version": "1.4.305" } }
JSON
echo "$icd"
