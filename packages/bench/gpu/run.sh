#!/usr/bin/env bash
# The GPU benchmark, run from the folder `node packages/bench/gpu/pack.mjs` made, on a machine with
# an NVIDIA GPU, CUDA, PyTorch (+ torchvision) and no Node:
#
#   bash .gpu-pack/run.sh [--out DIR] [--tiny] [bench options…]
#
# It unpacks Node and the app into $TFZOO_GPU_WORK (default /tmp/tfzoo-gpu), unpacks the Vulkan
# loader where the machine has none, finds NVIDIA's Vulkan driver, and runs the bench harness:
# ResNet-50 and MobileNetV2, inference at batch 1 and 64 and a training step at batch 32, tfzoo on
# WebGPU (its logits checked against the cpu backend before timing) against PyTorch on CUDA in
# strict fp32 (TF32 off) and, labelled, with TF32 + channels-last. It writes gpu.json (with the GPU's
# fingerprint), gpu.md and gpu.svg to DIR (default: docs/benchmarks under the current directory when
# it exists, else results/ next to this script).
#
# --tiny: the same path at a tiny size (32×32, batch 1 and 2, training batch 2, MobileNetV2, plus
# PyTorch on the CPU): the end-to-end check on a machine without a GPU (SwiftShader:
# VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="${TFZOO_GPU_WORK:-/tmp/tfzoo-gpu}"
out=""
tiny=0
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --tiny) tiny=1; shift ;;
    *) extra+=("$1"); shift ;;
  esac
done
if [ -z "$out" ]; then
  if [ -d docs/benchmarks ]; then out="$(pwd)/docs/benchmarks"; else out="$here/results"; fi
fi
mkdir -p "$out" "$work"
say() { printf '[gpu-run] %s\n' "$*" >&2; }

# 1. Node and the app.
xz -dc "$here/node.xz" > "$work/node"
chmod +x "$work/node"
rm -rf "$work/app"
tar -C "$work" -xJf "$here/app.tar.xz"
say "node $("$work/node" --version), app in $work/app"

# 2. The Vulkan loader: the machine's when it has one, else Debian's from debs/.
unpack_deb() { # unpack_deb file.deb dir — dpkg-deb when present, else Python (a .deb is an ar archive)
  if command -v dpkg-deb >/dev/null; then dpkg-deb -x "$1" "$2"; return; fi
  python3 - "$1" "$2" <<'PY'
import io, sys, tarfile
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'!<arch>\n', 'not an ar archive: ' + sys.argv[1]
pos = 8
while pos < len(data):
    name = data[pos:pos + 16].decode().strip().rstrip('/')
    size = int(data[pos + 48:pos + 58].decode().strip())
    body = data[pos + 60:pos + 60 + size]
    if name.startswith('data.tar'):
        tarfile.open(fileobj=io.BytesIO(body)).extractall(sys.argv[2])
    pos += 60 + size + (size % 2)
PY
}
has_lib() { ldconfig -p 2>/dev/null | grep -q "$1" || ls /usr/lib/x86_64-linux-gnu/"$1"* /usr/lib64/"$1"* >/dev/null 2>&1; }
debroot="$work/debs"
rm -rf "$debroot"
mkdir -p "$debroot"
for deb in "$here"/debs/*.deb; do
  lib="$(basename "$deb" | cut -d_ -f1)"
  unpack_deb "$deb" "$debroot"
  say "unpacked $lib"
done
libdir="$debroot/usr/lib/x86_64-linux-gnu"
if has_lib libvulkan.so.1; then
  say "Vulkan loader: the machine's"
  # Only the libraries the machine lacks come from debs/ (after the machine's own).
  export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$libdir"
else
  say "Vulkan loader: Debian's libvulkan1 from debs/"
  export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi

# 3. The Vulkan driver: VK_ICD_FILENAMES when set, else the machine's NVIDIA ICD file, else one
# written here for NVIDIA's libGLX_nvidia.so.0 (containers often mount the library but not the file).
if [ -z "${VK_ICD_FILENAMES:-}" ]; then
  icd="$(ls /etc/vulkan/icd.d/nvidia_icd*.json /usr/share/vulkan/icd.d/nvidia_icd*.json 2>/dev/null | head -1 || true)"
  if [ -n "$icd" ]; then
    export VK_ICD_FILENAMES="$icd"
  elif has_lib libGLX_nvidia.so.0; then
    printf '{"file_format_version":"1.0.0","ICD":{"library_path":"libGLX_nvidia.so.0","api_version":"1.3.0"}}\n' > "$work/nvidia_icd.json"
    export VK_ICD_FILENAMES="$work/nvidia_icd.json"
  else
    say "no NVIDIA Vulkan driver found (no nvidia_icd.json, no libGLX_nvidia.so.0): WebGPU rows will say why"
  fi
fi
say "VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-unset}"

# 4. PyTorch: the python3 that imports torch.
export TFZOO_BENCH_PYTHON="${TFZOO_BENCH_PYTHON:-$(command -v python3 || echo /usr/bin/python3)}"
"$TFZOO_BENCH_PYTHON" -c 'import torch, torchvision; print("[gpu-run] torch", torch.__version__, "CUDA", torch.version.cuda, "available:", torch.cuda.is_available())' >&2 || say "$TFZOO_BENCH_PYTHON cannot import torch and torchvision"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >&2 || true

# 5. The bench.
cd "$work/app"
if [ "$tiny" = 1 ]; then
  args=(--models mobilenet_v2 --backends pytorch,pytorch-cuda,pytorch-cuda-tf32,webgpu --image-size 32 --batch 1,2 --train-batch 2 --repeats 2 --row-budget 60 --name gpu-tiny)
else
  args=(--models resnet50,mobilenet_v2 --backends pytorch-cuda,pytorch-cuda-tf32,webgpu --batch 1,64 --train-batch 32 --repeats 10 --warmup 3 --row-budget 60 --deadline 11 --name gpu)
fi
"$work/node" packages/bench/dist/cli.js "${args[@]}" --out "$out" "${extra[@]}"
say "wrote $out/$( [ "$tiny" = 1 ] && echo gpu-tiny || echo gpu ).{json,md,svg}"
