// Tests of the safetensors reader/writer and the 16-bit float conversions. Expected 16-bit values come
// from well-known constants and from a brute-force nearest-value search written here, not from dtypes.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensors, readSafetensorsHeader, writeSafetensors, type LoadedTensor } from './safetensors';
import { f32ToBf16, f32ToF16 } from './dtypes';

async function readAll(path: string): Promise<Map<string, LoadedTensor>> {
  const out = new Map<string, LoadedTensor>();
  for await (const [name, t] of readSafetensors(path)) out.set(name, t);
  return out;
}

/** Builds a safetensors file by hand, independent of writeSafetensors. */
function handMade(tensors: { name: string; dtype: string; shape: number[]; bytes: Buffer }[]): Buffer {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let off = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + t.bytes.length] };
    off += t.bytes.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, ...tensors.map((t) => t.bytes)]);
}

function u16s(values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => b.writeUInt16LE(v, 2 * i));
  return b;
}

void test('reads F16, BF16, F32 and I64 tensors from a hand-made file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'st-'));
  try {
    const f32 = Buffer.alloc(8);
    f32.writeFloatLE(0.1, 0);
    f32.writeFloatLE(-3, 4);
    const i64 = Buffer.alloc(16);
    i64.writeBigInt64LE(-5n, 0);
    i64.writeBigInt64LE(123456n, 8);
    const path = join(dir, 'a.safetensors');
    await writeFile(path, handMade([
      // binary16: 1, -2, 65504 (max), 2^-24 (min subnormal), 0x3555 = 0.333251953125, -0, +Inf
      { name: 'h', dtype: 'F16', shape: [7], bytes: u16s([0x3c00, 0xc000, 0x7bff, 0x0001, 0x3555, 0x8000, 0x7c00]) },
      // bfloat16: 1, -2.5, 0x3eaa = 0.33203125, 0x7f7f = 3.3895313892515355e38 (max)
      { name: 'b', dtype: 'BF16', shape: [2, 2], bytes: u16s([0x3f80, 0xc020, 0x3eaa, 0x7f7f]) },
      { name: 'f', dtype: 'F32', shape: [2], bytes: f32 },
      { name: 'i', dtype: 'I64', shape: [2, 1], bytes: i64 },
    ]));
    const t = await readAll(path);
    assert.deepEqual([...t.get('h')!.data], [1, -2, 65504, 5.960464477539063e-8, 0.333251953125, -0, Infinity]);
    assert.ok(Object.is(t.get('h')!.data[5], -0));
    assert.deepEqual([...t.get('b')!.data], [1, -2.5, 0.33203125, 3.3895313892515355e38]);
    assert.deepEqual(t.get('b')!.shape, [2, 2]);
    assert.deepEqual([...t.get('f')!.data], [Math.fround(0.1), -3]);
    assert.ok(t.get('i')!.data instanceof Int32Array);
    assert.deepEqual([...t.get('i')!.data], [-5, 123456]);
  } finally {
    await rm(dir, { recursive: true });
  }
});

void test('write → read round trip keeps shapes, values and metadata; header is 8-aligned', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'st-'));
  try {
    const path = join(dir, 'b.safetensors');
    const a = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i) * 100);
    await writeSafetensors(path, [
      { name: 'x.weight', shape: [3, 4], data: () => a },
      { name: 'scalar', shape: [], data: async () => [7.5] },
      { name: 'ids', shape: [3], dtype: 'I64', data: () => [1, -2, 3] },
    ]);
    const raw = await readFile(path);
    assert.equal(Number(raw.readBigUInt64LE(0)) % 8, 0);
    const header = await readSafetensorsHeader(path);
    assert.deepEqual(header.metadata, { format: 'pt' });
    const t = await readAll(path);
    assert.deepEqual([...t.get('x.weight')!.data], [...a]);
    assert.deepEqual(t.get('scalar')!.shape, []);
    assert.deepEqual([...t.get('scalar')!.data], [7.5]);
    assert.deepEqual([...t.get('ids')!.data], [1, -2, 3]);
  } finally {
    await rm(dir, { recursive: true });
  }
});

// An independent float32 → 16-bit reference: the nearest value among all finite 16-bit values, ties to
// the even bit pattern, found by search over the decoded table (decoded here with Math.pow).
function decodeHalf(bits: number): number {
  const s = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 31;
  const m = bits & 1023;
  return e === 0 ? s * Math.pow(2, -14) * (m / 1024) : e === 31 ? (m ? NaN : s * Infinity) : s * Math.pow(2, e - 15) * (1 + m / 1024);
}
function decodeBf(bits: number): number {
  const s = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 7) & 255;
  const m = bits & 127;
  return e === 0 ? s * Math.pow(2, -126) * (m / 128) : e === 255 ? (m ? NaN : s * Infinity) : s * Math.pow(2, e - 127) * (1 + m / 128);
}
function nearest(value: number, decode: (b: number) => number, maxFinite: number, overflowAt: number): number {
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const a = Math.abs(value);
  if (a >= overflowAt) return sign | (decode === decodeHalf ? 0x7c00 : 0x7f80);
  let lo = 0;
  let hi = maxFinite; // positive bit patterns are ordered like their values
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (decode(mid) <= a) lo = mid;
    else hi = mid;
  }
  const dl = a - decode(lo);
  const dh = decode(hi) - a;
  const pick = dl < dh ? lo : dh < dl ? hi : lo % 2 === 0 ? lo : hi;
  return sign | pick;
}

void test('float32 → F16/BF16 rounding matches a brute-force nearest-even search', () => {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const values: number[] = [0, -0, 1, 65504, 65519.99, 65520, 1e-8, 2.98e-8, 3e-8, 6.1e-5, 1 / 3, -1 / 3, 1 + 2 ** -11, 1 + 3 * 2 ** -11];
  for (let i = 0; i < 3000; i++) values.push(Math.fround((rand() - 0.5) * Math.pow(2, Math.floor(rand() * 50) - 30)));
  // binary16 overflows to Inf at 65520 (half-way between 65504 and 2^16).
  for (const v of values) assert.equal(f32ToF16(v), nearest(Math.fround(v), decodeHalf, 0x7bff, 65520), `f16 of ${v}`);
  const bfMaxOverflow = decodeBf(0x7f7f) + Math.pow(2, 127 - 8); // half an ulp above the largest bf16
  for (const v of values.concat([3.4e38, -3.39e38])) {
    assert.equal(f32ToBf16(v), nearest(Math.fround(v), decodeBf, 0x7f7f, bfMaxOverflow), `bf16 of ${v}`);
  }
});

void test('rejects a truncated file with a clear error naming it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'st-'));
  try {
    const path = join(dir, 'bad.safetensors');
    const full = handMade([{ name: 'w', dtype: 'F32', shape: [4], bytes: Buffer.alloc(16) }]);
    await writeFile(path, full.subarray(0, full.length - 4));
    await assert.rejects(readAll(path), (e: Error) => e.message.includes('bad.safetensors') && e.message.includes('past the end'));
  } finally {
    await rm(dir, { recursive: true });
  }
});
