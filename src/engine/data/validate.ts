// Field checks shared by the row formats (formats.ts, implicit.ts, messages.ts): each failure is a
// DataError naming the file, the row's line and the field path, per issue 2 ("Files and rows").
import { DataError, describeType } from './errors';

/** Where a row came from: its file (as named in messages), line, and the .json array index if any. */
export interface RowContext {
  file: string;
  line: number;
  /** Array index for .json files; field paths are then prefixed `[index].`. */
  index?: number;
  /** 1-based row of a .parquet file (line is 0); messages then say `row N: field`. */
  row?: number;
}

export function fieldPath(ctx: RowContext, field: string): string {
  if (ctx.row !== undefined) return field === '' ? `row ${ctx.row}` : `row ${ctx.row}: ${field}`;
  if (ctx.index === undefined) return field;
  return field === '' ? `[${ctx.index}]` : field.startsWith('[') ? `[${ctx.index}]${field}` : `[${ctx.index}].${field}`;
}

export function fail(ctx: RowContext, field: string, detail: string): DataError {
  return new DataError(ctx.file, ctx.line, fieldPath(ctx, field), detail);
}

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The row itself must be a JSON object. */
export function requireObject(ctx: RowContext, v: unknown, field: string, expected: string): JsonObject {
  if (!isObject(v)) throw fail(ctx, field, `expected ${expected}, got ${describeType(v)}`);
  return v;
}

/** A string field (it may be empty). */
export function requireString(ctx: RowContext, obj: JsonObject, key: string, path: string = key): string {
  const v = obj[key];
  if (typeof v !== 'string') throw fail(ctx, path, `expected a string, got ${describeType(v)}`);
  return v;
}

/** An array field. */
export function requireArray(ctx: RowContext, obj: JsonObject, key: string, what: string, path: string = key): unknown[] {
  const v = obj[key];
  if (!Array.isArray(v)) throw fail(ctx, path, `expected ${what}, got ${describeType(v)}`);
  return v;
}

/** A response must hold more than whitespace. */
export function requireResponse(ctx: RowContext, text: string, path: string): string {
  if (text.trim() === '') throw fail(ctx, path, `expected a non-empty response, got ${text === '' ? 'an empty string' : 'only whitespace'}`);
  return text;
}

/** Chosen and rejected must differ, or the pair teaches nothing. */
export function requireDifferent(ctx: RowContext, same: boolean): void {
  if (same) throw fail(ctx, 'rejected', 'expected a response different from chosen, got an identical one');
}
