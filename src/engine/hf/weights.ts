// Reading a Hugging Face model directory's weights: model.safetensors, or the shards listed in
// model.safetensors.index.json ({"metadata": ..., "weight_map": {tensor name: shard file}}), as
// transformers' save_pretrained writes them. Tensors are streamed one at a time into tfjs float32
// tensors (fp16/bf16 converted), so peak memory is the model plus one tensor's bytes; F16 and BF16
// weights the caller names in `keep16` stay 16-bit instead (ops/half.ts: frozen weights, issue 13).
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SourceDtype } from '../model/types';
import { Half } from '../ops/half';
import { decodeTensorBytes, readSafetensorsBytes, words16 } from './safetensors';

/** The safetensors files of a model directory, in order. */
export async function weightFiles(dir: string): Promise<string[]> {
  const single = join(dir, 'model.safetensors');
  if (existsSync(single)) return [single];
  const indexPath = join(dir, 'model.safetensors.index.json');
  if (!existsSync(indexPath)) {
    const bin = existsSync(join(dir, 'pytorch_model.bin')) ? ' (pytorch_model.bin is not read: convert it to safetensors, e.g. save_pretrained(dir, safe_serialization=True))' : '';
    throw new Error(`${dir}: no model.safetensors or model.safetensors.index.json${bin}`);
  }
  let index: unknown;
  try {
    index = JSON.parse(await readFile(indexPath, 'utf8'));
  } catch (e) {
    throw new Error(`${indexPath}: not valid JSON: ${(e as Error).message}`);
  }
  const map = (index as { weight_map?: unknown })?.weight_map;
  if (!map || typeof map !== 'object') throw new Error(`${indexPath}: expected a "weight_map" object of tensor name → shard file`);
  const files = [...new Set(Object.values(map as Record<string, unknown>))];
  for (const f of files) {
    if (typeof f !== 'string' || f.includes('/') || f.includes('\\')) throw new Error(`${indexPath}: weight_map entry ${JSON.stringify(f)} is not a shard file name`);
    if (!existsSync(join(dir, f))) throw new Error(`${indexPath}: shard "${f}" is listed but missing from ${dir}`);
  }
  return (files as string[]).sort().map((f) => join(dir, f));
}

/**
 * All tensors of a model directory as float32 (or int32) tfjs tensors keyed by name, and 16-bit ones for
 * the names `keep16` accepts when the file holds them as F16 or BF16. `rename` maps file names to the
 * names the model expects (e.g. adds GPT-2's "transformer." prefix). `dtype`: the files' floating dtype (F16/BF16 when every floating tensor has it, else F32).
 */
export async function readWeights(dir: string, rename: (name: string) => string = (n) => n, keep16: (name: string) => boolean = () => false): Promise<{ weights: Map<string, tf.Tensor | Half>; dtype: SourceDtype }> {
  const out = new Map<string, tf.Tensor | Half>();
  const floats = new Set<string>();
  try {
    for (const file of await weightFiles(dir)) {
      for await (const [name, info, bytes] of readSafetensorsBytes(file)) {
        const key = rename(name);
        if (out.has(key)) throw new Error(`${file}: tensor "${name}" appears in more than one shard`);
        const half = info.dtype === 'BF16' ? 'bf16' : info.dtype === 'F16' ? 'f16' : undefined;
        if (info.dtype.startsWith('F') || half) floats.add(info.dtype);
        if (half && info.shape.length === 2 && keep16(key)) {
          out.set(key, Half.pack(words16(bytes), info.shape as [number, number], half));
          continue;
        }
        const data = decodeTensorBytes(bytes, info.dtype, `${file}: ${name}`);
        out.set(key, tf.tensor(data, info.shape, data instanceof Float32Array ? 'float32' : 'int32'));
      }
    }
  } catch (e) {
    for (const t of out.values()) t.dispose();
    throw e;
  }
  const only = floats.size === 1 ? [...floats][0] : undefined;
  return { weights: out, dtype: only === 'BF16' || only === 'F16' ? only : 'F32' };
}
