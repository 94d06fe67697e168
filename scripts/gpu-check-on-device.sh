#!/bin/sh
# The GPU check on a lent GPU machine (README, Devices), run from the repository root:
#   sh scripts/gpu-check-on-device.sh [DEADLINE_SECONDS] [more gpu-check options]
# It needs what `npm run gpu-check:pack` prepared (.gpucheck/runtime.tar.xz and .gpucheck/kit/)
# and, where the system has no Vulkan loader, the Debian packages in .gl/ (README, Devices).
# Writes gpu-check.json, gpu-check.png and gpu-check.log to $OUT (else ./gpu-check-out).
# The deadline (default 420 s) counts from Node's start; unpacking takes a few seconds more.
set -u
DEADLINE="${1:-420}"
[ $# -gt 0 ] && shift
OUT_DIR="${OUT:-$PWD/gpu-check-out}"
RT=/tmp/painterly-gpu-check
mkdir -p "$OUT_DIR"
LOG="$OUT_DIR/gpu-check.log"
say() { echo "$*" | tee -a "$LOG"; }

if [ ! -f .gpucheck/runtime.tar.xz ]; then
  say "No .gpucheck/runtime.tar.xz: run 'npm run gpu-check:pack' on the developer machine and carry .gpucheck."
  exit 2
fi

# 1. The Vulkan loader: WebGPU (Dawn) reaches the NVIDIA driver through libvulkan.so.1.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1'; then
  if ls .gl/*.deb >/dev/null 2>&1; then
    for f in .gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
    say "Vulkan loader unpacked from .gl/"
  else
    say "No Vulkan loader and no .gl/*.deb: the webgpu probe will say so."
  fi
fi
# 2. The NVIDIA driver's Vulkan and EGL descriptions, where the loader does not find them itself.
NV=/usr/local/nvidia/share
if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ] && [ -f "$NV/vulkan/icd.d/nvidia_icd.json" ]; then
  export VK_DRIVER_FILES="$NV/vulkan/icd.d/nvidia_icd.json"
  say "VK_DRIVER_FILES=$VK_DRIVER_FILES"
fi
if [ -z "${__EGL_VENDOR_LIBRARY_FILENAMES:-}" ] && [ -f "$NV/glvnd/egl_vendor.d/10_nvidia.json" ]; then
  export __EGL_VENDOR_LIBRARY_FILENAMES="$NV/glvnd/egl_vendor.d/10_nvidia.json"
fi

# 3. Node, the built check and its node_modules.
rm -rf "$RT" && mkdir -p "$RT"
if ! tar -xJf .gpucheck/runtime.tar.xz -C "$RT" 2>>"$LOG"; then
  python3 -c "import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])" .gpucheck/runtime.tar.xz "$RT" || { say "Could not unpack .gpucheck/runtime.tar.xz"; exit 2; }
fi
NODE="$RT/node/bin/node"
say "node $("$NODE" --version), $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null || echo 'no nvidia-smi')"

# 4. The check. Everything it prints goes to the log too; its JSON and PNG go to $OUT.
KIT=.gpucheck/kit
[ -d "$KIT" ] || KIT=/nonexistent
ORT_DISABLE_TELEMETRY=1 "$NODE" "$RT/app/bench/gpu-check/main.js" --out "$OUT_DIR" --deadline "$DEADLINE" --kit "$KIT" "$@" 2>&1 | tee -a "$LOG"
