// Structural validation with ajv (https://ajv.js.org) against the JSON Schema derived from `configSpec`
// (src/common/jsonSchema.ts), with every ajv error turned into one readable diagnostic on the exact YAML
// node: the key for unknown and missing keys, the value for types, enums and ranges. For unions
// (`tokenizer`, `data.eval`) only the errors of the variant matching the value's type are kept.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { configJsonSchema } from '../../common/jsonSchema';
import { describeExpected, specAt, specPaths, type FieldSpec, type ObjectSpec } from '../../common/schema';
import { keyRange, valueRange, type ParsedConfig } from './document';
import { insertKeyFix, rangeFixes, replaceFix } from './fixes';
import { closest } from './suggest';
import { renameFix } from './keyEdits';
import { suggestKey } from './trlNames';
import type { ConfigDiagnostic, Fix } from './types';

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, strict: true }).compile(configJsonSchema());
  return compiled;
}

export const label = (path: readonly string[]): string => (path.length ? path.join('.') : 'the config');

export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `"${v.length > 40 ? v.slice(0, 40) + '…' : v}"`;
  return String(v);
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let v = root;
  for (const k of path) v = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

const decodePointer = (ptr: string): string[] => (ptr === '' ? [] : ptr.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')));

function variantFits(spec: FieldSpec, v: unknown): boolean {
  switch (spec.kind) {
    case 'number': return typeof v === 'number';
    case 'string': return typeof v === 'string';
    case 'boolean': return typeof v === 'boolean';
    case 'object': return !!v && typeof v === 'object' && !Array.isArray(v);
    case 'list': return Array.isArray(v); // a wrong item is reported at the item
    case 'union': return spec.variants.some((x) => variantFits(x, v));
  }
}

/** The spec an error is about: for a union, the variant that matches the value's type. */
function specFor(path: readonly string[], v: unknown): FieldSpec | undefined {
  const s = specAt(path);
  return s?.kind === 'union' ? (s.variants.find((x) => variantFits(x, v)) ?? s) : s;
}

/** Drops errors from union variants that do not match the value's type (decided by schemaPath). */
function keepError(e: ErrorObject, root: unknown): boolean {
  const segs = e.schemaPath.replace(/^#\//, '').split('/');
  const keyPath: string[] = [];
  for (let i = 0; i < segs.length; i++) {
    if (segs[i] === 'properties' && segs[i + 1] !== undefined) keyPath.push(segs[++i] as string);
    else if (segs[i] === 'anyOf') {
      const union = specAt(keyPath);
      const value = valueAt(root, keyPath);
      const fit = union?.kind === 'union' ? union.variants.findIndex((x) => variantFits(x, value)) : -1;
      const idx = segs[i + 1];
      if (idx === undefined) return fit < 0; // the anyOf error itself: only when no variant fits
      if (Number(idx) !== fit) return false;
      i++;
    }
  }
  return true;
}

function toDiagnostic(p: ParsedConfig, e: ErrorObject, configPath: string): ConfigDiagnostic | undefined {
  const path = decodePointer(e.instancePath);
  const v = valueAt(p.value, path);
  const spec = specFor(path, v);
  const expected = spec ? describeExpected(spec, false) : 'a valid value';
  const fixes: Fix[] = [];
  let d: ConfigDiagnostic;
  const parent = path.slice(0, -1);
  const list = /^\d+$/.test(path.at(-1) ?? '') ? specFor(parent, valueAt(p.value, parent)) : undefined;
  if (list?.kind === 'list') {
    // An item of a list (e.g. target_modules): reported on the list, naming the item.
    const item = (valueAt(p.value, parent) as unknown[])[Number(path.at(-1))];
    return { range: valueRange(p, parent), severity: 'error', message: `${label(parent)}[${path.at(-1)}] must be ${describeExpected(list.items, false).replace(/^a string$/, 'a name (a string)')}, got ${describeValue(item)}`, code: 'type' };
  }
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const parent = specAt(path);
      const fields = parent?.kind === 'object' ? Object.keys(parent.fields) : [];
      const near = suggestKey(path, key, fields);
      let msg = `unknown key "${key}" in ${label(path)}`;
      if (near) {
        msg += `; did you mean "${near.name}"?`;
        const fix = near.path.slice(0, -1).join('.') === path.join('.') ? replaceFix(`Change to "${near.name}"`, keyRange(p, [...path, key]), near.name) : renameFix(p, [...path, key], near.path);
        if (fix) fixes.push(fix);
      } else {
        const elsewhere = specPaths().find((sp) => sp[sp.length - 1] === key && sp.length !== path.length + 1);
        msg += elsewhere ? `; "${key}" belongs under ${elsewhere.length > 1 ? elsewhere.slice(0, -1).join('.') : 'the top level'}` : `; valid keys: ${fields.join(', ')}`;
      }
      d = { range: keyRange(p, [...path, key]), severity: 'error', message: msg, code: 'unknown-key' };
      break;
    }
    case 'required': {
      const key = String((e.params as { missingProperty: string }).missingProperty);
      const parent = specAt(path) as ObjectSpec | undefined;
      const sub = parent?.kind === 'object' ? parent.fields[key] : undefined;
      const fix = sub ? insertKeyFix(p, path, key, sub, configPath) : undefined;
      if (fix) fixes.push(fix);
      d = { range: keyRange(p, path), severity: 'error', message: `missing required key "${key}"${path.length ? ` in ${label(path)}` : ''}${sub ? `: ${sub.doc.split('. ')[0]?.replace(/\.$/, '')}` : ''}`, code: 'required' };
      break;
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
      const near = typeof v === 'string' ? closest(v, allowed) : undefined;
      if (near) fixes.push(replaceFix(`Change to "${near}"`, valueRange(p, path), near));
      d = { range: valueRange(p, path), severity: 'error', message: `${label(path)} must be ${expected}, got ${describeValue(v)}${near ? `; did you mean "${near}"?` : ''}`, code: 'enum' };
      break;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      if (spec?.kind === 'number') fixes.push(...rangeFixes(p, path, spec, v));
      d = { range: valueRange(p, path), severity: 'error', message: `${label(path)} must be ${expected}, got ${describeValue(v)}`, code: 'range' };
      break;
    case 'minItems':
      d = { range: valueRange(p, path), severity: 'error', message: `${label(path)} must list at least one name`, code: 'type' };
      break;
    case 'minLength':
      d = { range: valueRange(p, path), severity: 'error', message: `${label(path)} must not be empty`, code: 'type' };
      break;
    case 'type':
    case 'anyOf':
      // ajv's number type also rejects YAML's .inf and .nan.
      d = { range: valueRange(p, path), severity: 'error', message: `${label(path)} must be ${typeof v === 'number' ? `a finite number, ${expected}` : spec?.kind === 'object' && path.length === 0 ? 'a mapping of keys to values' : expected}, got ${describeValue(v)}`, code: 'type' };
      break;
    default:
      d = { range: valueRange(p, path), severity: 'error', message: `${label(path)}: ${e.message ?? 'invalid value'}`, code: 'schema' };
  }
  return fixes.length ? { ...d, data: { fixes } } : d;
}

export function schemaDiagnostics(p: ParsedConfig, configPath: string): ConfigDiagnostic[] {
  const validate = validator();
  // An empty document is treated as an empty mapping, so its missing keys come with quick fixes.
  const root = p.value === undefined || p.value === null ? {} : p.value;
  if (validate(root)) return [];
  const seen = new Set<string>();
  const out: ConfigDiagnostic[] = [];
  for (const e of validate.errors ?? []) {
    if (!keepError(e, root)) continue;
    const d = toDiagnostic(p, e, configPath);
    if (!d) continue;
    const key = `${d.range.start.line}:${d.range.start.character}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}
