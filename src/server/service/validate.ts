// validateDocument: every diagnostic of an *.orpo.yaml document, in order: YAML (syntax, duplicate keys,
// tags, aliases), JSON Schema (types, enums, ranges, unknown and missing keys), rules (soft limits and
// cross-field checks) and files (paths, dataset sniffing, Hugging Face model, backend). Never throws.
// Also the command-line form `file:line:col: severity: message` used by `orpo-lab validate` and `train`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfig, type ParsedConfig } from './document';
import { fileDiagnostics } from './fileChecks';
import { memoryDiagnostics } from './memoryCheck';
import { createProbe, type FileProbe } from './fileProbe';
import { ruleDiagnostics } from './rules';
import { schemaDiagnostics } from './schemaCheck';
import { withAliases } from './trlNames';
import { sweepDiagnostics } from './sweepCheck';
import type { ConfigDiagnostic } from './types';
import type { GpuLimitsRecord } from '../../common/gpuLimits';

export interface ValidationContext {
  /** Absolute path of the config; relative paths in it resolve against its folder. '' = no file checks. */
  path: string;
  /** Cached file access; a fresh real-disk probe when omitted. */
  fs?: FileProbe;
  /** false when another tool (Red Hat's YAML extension) already reports YAML syntax problems. */
  yamlSyntax?: boolean;
  /** The WebGPU adapter last seen on this machine (common/gpuLimits.ts): `backend: webgpu` runs are checked against its per-buffer limits. */
  gpu?: GpuLimitsRecord;
}

const YAML_CODES = new Set(['yaml-syntax', 'duplicate-key', 'yaml-tag']);

function order(a: ConfigDiagnostic, b: ConfigDiagnostic): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
}

export function diagnose(p: ParsedConfig, ctx: ValidationContext): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [...p.diagnostics];
  const stage = (name: string, run: () => ConfigDiagnostic[]) => {
    try {
      out.push(...run());
    } catch (e) {
      // A bug, not a config problem: say so rather than throwing into the editor.
      out.push({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 'error', message: `internal error in the ${name} check: ${e instanceof Error ? e.message : String(e)}`, code: 'internal' });
    }
  };
  if (p.value !== undefined || p.doc) {
    // TRL's names first: later checks see our keys, with ranges on the keys as written.
    let q = p;
    stage('TRL names', () => {
      const a = withAliases(p);
      q = a.parsed;
      return a.diagnostics;
    });
    stage('schema', () => schemaDiagnostics(q, ctx.path));
    stage('rules', () => ruleDiagnostics(q, ctx.path));
    stage('sweep', () => sweepDiagnostics(q));
    if (ctx.path && path.isAbsolute(ctx.path)) stage('file', () => fileDiagnostics(q, ctx.fs ?? createProbe(), ctx.path));
    stage('memory', () => memoryDiagnostics(q, ctx.path && path.isAbsolute(ctx.path) ? (ctx.fs ?? createProbe()) : undefined, ctx.path, ctx.gpu));
  }
  const kept = ctx.yamlSyntax === false ? out.filter((d) => !YAML_CODES.has(d.code ?? '')) : out;
  return kept.sort(order);
}

/** Every problem in the document, each on the exact range of the key or value at fault. */
export function validateDocument(text: string, ctx: ValidationContext): ConfigDiagnostic[] {
  let p: ParsedConfig;
  try {
    p = parseConfig(text);
  } catch (e) {
    return [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 'error', message: `internal error: ${e instanceof Error ? e.message : String(e)}`, code: 'internal' }];
  }
  return diagnose(p, ctx);
}

/** Reads, parses and validates a config file with the real file system. */
export function validateConfigFile(file: string, probe: FileProbe = createProbe(), gpu?: GpuLimitsRecord): { diagnostics: ConfigDiagnostic[]; value: unknown; text: string } {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (e) {
    const why = (e as { code?: string }).code === 'ENOENT' ? 'file not found' : e instanceof Error ? e.message : String(e);
    return { diagnostics: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 'error', message: `cannot read the config: ${why}`, code: 'file' }], value: undefined, text: '' };
  }
  const p = parseConfig(text);
  return { diagnostics: diagnose(p, { path: abs, fs: probe, ...(gpu ? { gpu } : {}) }), value: p.value, text };
}

/** `file:line:col: severity: message`, 1-based line and column. */
export function formatDiagnostic(file: string, d: ConfigDiagnostic): string {
  return `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity}: ${d.message}`;
}
