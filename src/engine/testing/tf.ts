// Test support: run engine tests on the plain-JS cpu backend (deterministic, no set-up).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';

export async function useCpu(): Promise<typeof tf> {
  await tf.setBackend('cpu');
  await tf.ready();
  return tf;
}

/** Asserts two numbers agree to an absolute tolerance, with a readable message. */
export function close(actual: number, expected: number, tol: number, what: string): void {
  if (!(Math.abs(actual - expected) <= tol)) throw new Error(`${what}: got ${actual}, expected ${expected} (±${tol})`);
}

/** A tensor's values, read asynchronously (tfjs-webgpu's dataSync needs OffscreenCanvas), then disposed. */
export async function take(t: tf.Tensor): Promise<Float32Array> {
  const d = (await t.data()) as Float32Array;
  t.dispose();
  return d;
}
