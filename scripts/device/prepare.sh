#!/usr/bin/env bash
# Fills .device/ (git-ignored) with what scripts/device/gpu-check.sh needs on a machine without npm:
# a Node binary (xz), the production engine bundle with its .wasm files, the webgpu package's Linux
# binary, the Vulkan/EGL loaders from Debian, and checkpoints/tokenizers saved by ORPO Lab with the
# ids and logits we compute (scripts/reference/roundtrip-prepare.ts). TRAINED_CHECKPOINT is optional.
#   bash scripts/device/prepare.sh [TRAINED_CHECKPOINT]
set -euo pipefail
cd "$(dirname "$0")/../.."
rm -rf .device && mkdir -p .device/orpo/dist/engine .device/orpo/node_modules/webgpu/dist/linux-x64 .device/orpo/scripts/reference .device/gl
node scripts/build.mjs --production
cp dist/engine/cli.js dist/engine/*.wasm .device/orpo/dist/engine/
# trl-check.sh: the export's Python modules, and the dashboard bundle `orpo-lab report` inlines
cp -r dist/engine/python .device/orpo/dist/engine/ && cp -r dist/webview .device/orpo/dist/
# the pinned trl and accelerate (pure Python, 1.4 MB) from this machine's wheel index, for a device without them
mkdir -p .device/wheels && cp /opt/pypi/files/trl-1.13.0-py3-none-any.whl /opt/pypi/files/accelerate-1.15.0-py3-none-any.whl .device/wheels/ 2>/dev/null || true
cp node_modules/webgpu/index.js node_modules/webgpu/package.json .device/orpo/node_modules/webgpu/
cp node_modules/webgpu/dist/linux-x64/* .device/orpo/node_modules/webgpu/dist/linux-x64/
mkdir -p .device/orpo/node_modules/@huggingface && cp -r node_modules/@huggingface/tokenizers .device/orpo/node_modules/@huggingface/
cp scripts/reference/*.py .device/orpo/scripts/reference/
xz -T2 -c "$(readlink -f "$(command -v node)")" > .device/node.xz
(cd .device/gl && apt-get -oAPT::Architecture=amd64 -oAPT::Architectures=amd64 download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
node --import tsx scripts/reference/roundtrip-prepare.ts .device/hfcheck "${1:-}"
node scripts/build.mjs
du -sh .device
