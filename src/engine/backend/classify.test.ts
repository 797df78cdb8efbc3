// What `auto` counts as a hardware GPU (issue 11 §5): software WebGPU adapters never (llvmpipe, the
// adapter this machine has, included), and libtensorflow only when its backend's isUsingGpuDevice says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSoftwareAdapter, tensorflowDevice } from './classify';
import { selectBackend, webgpuAdapterIsSoftware } from './select';

test('software adapters are recognised by name or as fallback adapters; hardware ones are not', () => {
  for (const sw of [
    { vendor: 'mesa', architecture: '', device: 'llvmpipe (LLVM 15.0.6, 256 bits)', description: 'Mesa 22.3.6' },
    { vendor: 'google', device: 'SwiftShader Device (Subzero)', description: 'Vulkan driver' },
    { vendor: 'Mesa', device: 'lavapipe' },
    { vendor: 'microsoft', device: 'Microsoft Basic Render Driver', description: 'D3D12 driver' },
    { vendor: 'someone', device: 'Unknown', isFallbackAdapter: true },
  ]) assert.equal(isSoftwareAdapter(sw), true, JSON.stringify(sw));
  for (const hw of [
    { vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H100 80GB HBM3', description: 'NVIDIA: 550.54' },
    { vendor: 'apple', architecture: 'metal-3', device: 'Apple M4 Max' },
    { vendor: 'amd', architecture: 'rdna-3', device: 'AMD Radeon RX 7900 XTX (RADV NAVI31)' },
    { vendor: 'intel', architecture: 'gen-12lp', device: 'Intel(R) Iris(R) Xe Graphics', isFallbackAdapter: false },
  ]) assert.equal(isSoftwareAdapter(hw), false, JSON.stringify(hw));
  assert.equal(isSoftwareAdapter('mesa llvmpipe (LLVM 15.0.6, 256 bits)'), true);
});

test('libtensorflow is a GPU only when isUsingGpuDevice is true (tfjs-node-gpu without CUDA runs on the CPU)', () => {
  assert.deepEqual(tensorflowDevice('@tensorflow/tfjs-node-gpu', { isUsingGpuDevice: true }), { gpu: true, device: 'CUDA GPU (libtensorflow, @tensorflow/tfjs-node-gpu)' });
  const cpu = tensorflowDevice('@tensorflow/tfjs-node-gpu', { isUsingGpuDevice: false });
  assert.equal(cpu.gpu, false);
  assert.match(cpu.device, /^CPU \(libtensorflow, @tensorflow\/tfjs-node-gpu: no CUDA GPU in use \(it needs CUDA 11\.2 and cuDNN 8\.1\)\)$/);
  assert.equal(tensorflowDevice('@tensorflow/tfjs-node-gpu', {}).gpu, false, 'no flag: not a GPU');
  assert.equal(tensorflowDevice('@tensorflow/tfjs-node-gpu', { isUsingGpuDevice: 'yes' }).gpu, false);
  assert.equal(tensorflowDevice('@tensorflow/tfjs-node', undefined).device, 'CPU (libtensorflow, @tensorflow/tfjs-node)');
});

test('this machine\'s WebGPU adapter (Dawn on Mesa llvmpipe) is classified as software', { timeout: 120_000 }, async () => {
  assert.equal(webgpuAdapterIsSoftware(), undefined, 'not known before WebGPU loads');
  const info = await selectBackend('webgpu');
  assert.match(info.device, /llvmpipe/i, info.device);
  assert.equal(webgpuAdapterIsSoftware(), true);
});
