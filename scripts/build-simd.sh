#!/usr/bin/env bash
# Rebuilds src/engine/backend/simd/bmm.wasm (committed, 4 KB) from bmm.c with clang's wasm32 target
# (Debian: apt-get install clang lld). Only needed after editing bmm.c; npm ci does not run it.
set -euo pipefail
cd "$(dirname "$0")/../src/engine/backend/simd"
clang --target=wasm32 -O3 -msimd128 -nostdlib -fno-builtin -Wl,--no-entry \
  -Wl,--initial-memory=1048576 -Wl,--max-memory=2147483648 -o bmm.wasm bmm.c
ls -l bmm.wasm
