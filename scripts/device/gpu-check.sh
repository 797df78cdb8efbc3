#!/usr/bin/env bash
# GPU checks, run on a machine with an NVIDIA GPU, torch and transformers, no npm (the lent device
# machine): the WebGPU backend (Dawn over Vulkan) against PyTorch CUDA on the same GPU, for the
# issue's step shape and GPT-2-small's (with and without our WGSL kernels, with per-step counts),
# our native CPU path at the issue's shape; `auto` picking the hardware adapter; and Hugging Face
# transformers loading checkpoints and tokenizers ORPO Lab saved (logits to 1e-4, ids equal); then
# scripts/device/trl-check.sh (issue 14: TRL imports, parity with our engine to 1e-3, report, resume).
# Prepare here with scripts/device/prepare.sh (fills the ignored folder .device/), then on the
# machine, from the repo root:   bash scripts/device/gpu-check.sh OUT_DIR
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-/tmp/gpu-check}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
log() { echo "== $*" | tee -a "$OUT/log.txt"; }
res() { tee -a "$OUT/results.jsonl"; }
for f in .device/gl/*.deb; do dpkg -x "$f" /; done
ldconfig
nv=/usr/local/nvidia/share
[ -f $nv/vulkan/icd.d/nvidia_icd.json ] && export VK_DRIVER_FILES=$nv/vulkan/icd.d/nvidia_icd.json
[ -f $nv/glvnd/egl_vendor.d/10_nvidia.json ] && export __EGL_VENDOR_LIBRARY_FILENAMES=$nv/glvnd/egl_vendor.d/10_nvidia.json
xz -dc .device/node.xz > /tmp/node && chmod +x /tmp/node
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee -a "$OUT/log.txt"
python3 -c "import torch, transformers; print('torch', torch.__version__, 'transformers', transformers.__version__)" | tee -a "$OUT/log.txt"
A="--d-model 256 --layers 4 --heads 4 --vocab 8000 --seq 128 --pairs 4 --steps 5"
G="--d-model 768 --layers 12 --heads 12 --vocab 50257 --seq 1024 --pairs 2 --steps 3"
cd .device/orpo
log "auto on this machine (expect webgpu on the hardware adapter)"
timeout 120 /tmp/node dist/engine/cli.js bench --backend auto --json --d-model 32 --layers 1 --heads 2 --vocab 64 --seq 32 --pairs 2 --steps 1 2>>"$OUT/log.txt" | tail -1 | res
for shape in A G; do
  args=${!shape}
  log "shape $shape: $args"
  # our WGSL kernels (issue 11), with per-step counts; then tfjs-webgpu's own kernels for comparison
  timeout 200 /tmp/node dist/engine/cli.js bench --backend webgpu --counts --json $args 2>>"$OUT/log.txt" | tail -1 | res
  ORPO_LAB_WGSL=0 timeout 200 /tmp/node dist/engine/cli.js bench --backend webgpu --json $args 2>>"$OUT/log.txt" | tail -1 | res
  timeout 120 python3 scripts/reference/torch_step.py --device cuda $args 2>>"$OUT/log.txt" | tail -1 | res
done
log "our native CPU path at shape A on this machine's CPU"
timeout 200 /tmp/node dist/engine/cli.js bench --backend wasm --json $A 2>>"$OUT/log.txt" | tail -1 | res
log "train the embedded default with backend auto, 60 steps (its first event: the backend, timed against native at this shape, and why)"
start=$(date +%s)
timeout 240 /tmp/node dist/engine/cli.js train ../../examples/hh-rlhf-tiny.orpo.yaml --json --max-steps 60 --out /tmp/gpu-run 2>>"$OUT/log.txt" | grep -E '"type":"(backend|started|finished|error)"' | res
echo "{\"train_wall_s\": $(( $(date +%s) - start ))}" | res
log "transformers loads what ORPO Lab saved"
timeout 120 python3 scripts/reference/roundtrip_check.py ../hfcheck ../../test/fixtures/hf 2>>"$OUT/log.txt" | tee -a "$OUT/log.txt" | sed 's/^/{"roundtrip": /; s/$/}/' | res
log "TRL on this machine (issue 14): import trl, accelerate; parity with our engine to 1e-3; report; resume"
NODE=/tmp/node CLI=$ROOT/.device/orpo/dist/engine/cli.js timeout 1500 bash "$ROOT/scripts/device/trl-check.sh" "$OUT/trl"
cat "$OUT/trl/results.jsonl" >> "$OUT/results.jsonl"
log done
