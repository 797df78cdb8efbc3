// Reading and writing the safetensors format (https://github.com/huggingface/safetensors, "Format"):
// an 8-byte little-endian u64 N, then N bytes of JSON header {name: {dtype, shape, data_offsets: [begin, end]},
// "__metadata__": {string: string}}, then the raw little-endian tensor bytes (offsets relative to the byte
// after the header). Files are streamed: the header is read first, then each tensor's byte range is read
// into its own buffer, so no whole-file buffer is ever held. Floats (F32, F16, BF16, F64) come back as
// Float32Array; integers (I32, I64, U8, I8, I16, BOOL) as Int32Array (I64 values beyond 2^31 are an error).
import { open, rename, unlink } from 'node:fs/promises';
import { endianness } from 'node:os';
import { f16ToF32, bf16ToF32, f32ToBf16, f32ToF16 } from './dtypes';

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const LITTLE_ENDIAN = endianness() === 'LE';

const BYTES: Record<SafetensorsDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

export interface TensorInfo {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte offsets [begin, end) relative to the start of the data section. */
  dataOffsets: [number, number];
}

export interface SafetensorsHeader {
  /** File offset of the data section (8 + header length). */
  dataStart: number;
  tensors: Map<string, TensorInfo>;
  metadata: Record<string, string>;
}

/** A tensor read into memory: floats as Float32Array, integers as Int32Array. */
export interface LoadedTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Int32Array;
}

function bad(path: string, what: string): Error {
  return new Error(`${path}: not a valid safetensors file: ${what}`);
}

function parseHeader(path: string, json: string, fileSize: number, dataStart: number): SafetensorsHeader {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw bad(path, `header is not JSON (${(e as Error).message})`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw bad(path, 'header is not a JSON object');
  const tensors = new Map<string, TensorInfo>();
  let metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(raw as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = (v ?? {}) as Record<string, string>;
      continue;
    }
    const o = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = o?.dtype as SafetensorsDtype;
    if (typeof dtype !== 'string' || !(dtype in BYTES)) throw bad(path, `tensor "${name}" has unsupported dtype ${JSON.stringify(o?.dtype)} (expected one of ${Object.keys(BYTES).join(', ')})`);
    const shape = o.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw bad(path, `tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`);
    const off = o.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isInteger(d) && d >= 0)) throw bad(path, `tensor "${name}" has invalid data_offsets ${JSON.stringify(off)}`);
    const [begin, end] = off as [number, number];
    const numel = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end - begin !== numel * BYTES[dtype]) throw bad(path, `tensor "${name}": data_offsets [${begin}, ${end}] hold ${end - begin} bytes, but ${dtype}${JSON.stringify(shape)} needs ${numel * BYTES[dtype]}`);
    if (dataStart + end > fileSize) throw bad(path, `tensor "${name}" ends at byte ${dataStart + end}, past the end of the file (${fileSize} bytes)`);
    tensors.set(name, { dtype, shape: shape as number[], dataOffsets: [begin, end] });
  }
  return { dataStart, tensors, metadata };
}

/** Reads only the header of a safetensors file. */
export async function readSafetensorsHeader(path: string): Promise<SafetensorsHeader> {
  const fh = await open(path, 'r');
  try {
    return await readHeaderFrom(fh, path);
  } finally {
    await fh.close();
  }
}

type Handle = Awaited<ReturnType<typeof open>>;

async function readExactly(fh: Handle, length: number, position: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  if (done !== length) throw new Error(`short read: wanted ${length} bytes at ${position}, got ${done}`);
  return buf;
}

async function readHeaderFrom(fh: Handle, path: string): Promise<SafetensorsHeader> {
  const size = (await fh.stat()).size;
  if (size < 8) throw bad(path, `file is ${size} bytes, shorter than the 8-byte header length`);
  const n = (await readExactly(fh, 8, 0)).readBigUInt64LE(0);
  if (n > BigInt(size - 8) || n > 100_000_000n) throw bad(path, `header length ${n} does not fit in a ${size}-byte file`);
  const json = (await readExactly(fh, Number(n), 8)).toString('utf8');
  return parseHeader(path, json, size, 8 + Number(n));
}

/** Decodes raw little-endian bytes of `dtype` into float32 or int32 values. */
export function decodeTensorBytes(bytes: Uint8Array, dtype: SafetensorsDtype, name = 'tensor'): Float32Array | Int32Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.byteLength / BYTES[dtype];
  switch (dtype) {
    case 'F32': {
      const out = new Float32Array(n);
      if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(bytes); // a plain copy: same byte order
      else for (let i = 0; i < n; i++) out[i] = dv.getFloat32(4 * i, true);
      return out;
    }
    case 'F64': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = dv.getFloat64(8 * i, true);
      return out;
    }
    case 'F16':
    case 'BF16': {
      const out = new Float32Array(n);
      const conv = dtype === 'F16' ? f16ToF32 : bf16ToF32;
      for (let i = 0; i < n; i++) out[i] = conv(dv.getUint16(2 * i, true));
      return out;
    }
    case 'I64': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = dv.getBigInt64(8 * i, true);
        if (v > 2147483647n || v < -2147483648n) throw new Error(`${name}: I64 value ${v} does not fit in int32`);
        out[i] = Number(v);
      }
      return out;
    }
    case 'I32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = dv.getInt32(4 * i, true);
      return out;
    }
    case 'I16':
      return Int32Array.from({ length: n }, (_, i) => dv.getInt16(2 * i, true));
    case 'I8':
      return Int32Array.from({ length: n }, (_, i) => dv.getInt8(i));
    case 'U8':
    case 'BOOL':
      return Int32Array.from(bytes);
  }
}

/** Streams the tensors of one safetensors file (all, or those named in `only`), in file order, as raw bytes. */
export async function* readSafetensorsBytes(path: string, only?: ReadonlySet<string>): AsyncGenerator<[string, TensorInfo, Buffer]> {
  const fh = await open(path, 'r');
  try {
    const header = await readHeaderFrom(fh, path);
    const entries = [...header.tensors].filter(([name]) => !only || only.has(name)).sort((a, b) => a[1].dataOffsets[0] - b[1].dataOffsets[0]);
    for (const [name, info] of entries) {
      const [begin, end] = info.dataOffsets;
      yield [name, info, await readExactly(fh, end - begin, header.dataStart + begin)];
    }
  } finally {
    await fh.close();
  }
}

/**
 * Streams the tensors of one safetensors file (all, or those named in `only`), in file order, each read
 * into a fresh buffer and converted (floats to float32, integers to int32).
 */
export async function* readSafetensors(path: string, only?: ReadonlySet<string>): AsyncGenerator<[string, LoadedTensor]> {
  for await (const [name, info, bytes] of readSafetensorsBytes(path, only)) {
    yield [name, { dtype: info.dtype, shape: info.shape, data: decodeTensorBytes(bytes, info.dtype, `${path}: ${name}`) }];
  }
}

/** The 16-bit words of an F16 or BF16 tensor's little-endian bytes, unconverted. */
export function words16(bytes: Uint8Array): Uint16Array {
  const out = new Uint16Array(bytes.byteLength / 2);
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(bytes);
  else for (let i = 0; i < out.length; i++) out[i] = (bytes[2 * i] as number) | ((bytes[2 * i + 1] as number) << 8);
  return out;
}

/** One tensor to write: its values are produced only when the writer reaches it (streaming). */
export interface TensorToWrite {
  name: string;
  shape: number[];
  /** Stored dtype: F32 (default), F16 or BF16 (rounded to nearest even), I32 or I64. */
  dtype?: 'F32' | 'F16' | 'BF16' | 'I32' | 'I64';
  data: () => Promise<ArrayLike<number>> | ArrayLike<number>;
}

function encode(values: ArrayLike<number>, dtype: NonNullable<TensorToWrite['dtype']>): Buffer {
  if (dtype === 'F32' && LITTLE_ENDIAN && values instanceof Float32Array) return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  const n = values.length;
  const buf = Buffer.allocUnsafe(n * BYTES[dtype]);
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    switch (dtype) {
      case 'F32': buf.writeFloatLE(v, 4 * i); break;
      case 'F16': buf.writeUInt16LE(f32ToF16(v), 2 * i); break;
      case 'BF16': buf.writeUInt16LE(f32ToBf16(v), 2 * i); break;
      case 'I32': buf.writeInt32LE(v, 4 * i); break;
      case 'I64': buf.writeBigInt64LE(BigInt(v), 8 * i); break;
    }
  }
  return buf;
}

/**
 * Writes a safetensors file tensor by tensor (each tensor's values are requested, encoded and written
 * before the next), into `path + '.tmp'` first, then renamed over `path`, so readers never see half a file.
 * Metadata defaults to {"format": "pt"}, which transformers expects.
 */
export async function writeSafetensors(path: string, tensors: readonly TensorToWrite[], metadata: Record<string, string> = { format: 'pt' }): Promise<void> {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  const seen = new Set<string>();
  for (const t of tensors) {
    if (seen.has(t.name)) throw new Error(`writeSafetensors ${path}: tensor "${t.name}" given twice`);
    seen.add(t.name);
    const dtype = t.dtype ?? 'F32';
    const bytes = t.shape.reduce((a, b) => a * b, 1) * BYTES[dtype];
    header[t.name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8); // pad so the data section starts 8-aligned
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.write(head);
    await fh.write(json);
    for (const t of tensors) {
      const values = await t.data();
      const expected = t.shape.reduce((a, b) => a * b, 1);
      if (values.length !== expected) throw new Error(`writeSafetensors ${path}: tensor "${t.name}" has ${values.length} values, shape ${JSON.stringify(t.shape)} needs ${expected}`);
      await fh.write(encode(values, t.dtype ?? 'F32'));
    }
    await fh.sync();
  } catch (e) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fh.close();
  await rename(tmp, path);
}
