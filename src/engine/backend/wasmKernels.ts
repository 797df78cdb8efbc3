// Registers our kernels for the tfjs wasm backend once, before it initialises (wasmFastPaths.ts).
import { registerWasmFastPaths } from './wasmFastPaths';

let registered = false;

export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  registerWasmFastPaths();
}
