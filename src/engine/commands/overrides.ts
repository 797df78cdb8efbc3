// `orpo-lab train CONFIG key=value...`: command-line overrides of config keys (dotted paths such as
// train.max_steps=50, values read as YAML scalars or flow collections). They are applied to the
// config's YAML document and the result goes through the same validation service as the file
// (src/server/service), so a bad override is refused like a bad line, and the message names it.
import { resolve } from 'node:path';
import { parse as parseYaml, parseDocument } from 'yaml';
import { UsageError } from '../args';
import { locate, offsetAt, parseConfig } from '../../server/service/document';
import { diagnose, formatDiagnostic, validateConfigFile } from '../../server/service/validate';
import type { ConfigDiagnostic } from '../../server/service/types';

export interface Override {
  /** As typed, e.g. "train.max_steps=50". */
  text: string;
  path: string[];
  value: unknown;
}

const KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Reads one KEY=VALUE argument; throws UsageError when it is not one. */
export function parseOverride(arg: string): Override {
  const eq = arg.indexOf('=');
  const path = eq > 0 ? arg.slice(0, eq).split('.') : [];
  if (eq <= 0 || !path.every((s) => KEY.test(s))) {
    throw new UsageError(`"${arg}" is neither a flag nor a KEY=VALUE override (e.g. train.max_steps=50 or lambda=0.5)`);
  }
  const raw = arg.slice(eq + 1);
  try {
    return { text: arg, path, value: parseYaml(raw) as unknown };
  } catch (e) {
    throw new UsageError(`override ${arg}: the value is not valid YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
}

export interface Applied {
  text: string;
  /** Problems setting a key (its parent is not a mapping), one line each. */
  problems: string[];
}

/** The config text with every override set (comments and layout kept where the YAML library can). */
export function applyOverrides(text: string, overrides: readonly Override[]): Applied {
  const doc = parseDocument(text);
  const problems: string[] = [];
  for (const o of overrides) {
    try {
      doc.setIn(o.path, doc.createNode(o.value));
    } catch {
      problems.push(`override ${o.text}: error: ${o.path.slice(0, -1).join('.')} is not a mapping in the config`);
    }
  }
  return { text: doc.toString(), problems };
}

function sameDiagnostic(a: ConfigDiagnostic, b: ConfigDiagnostic): boolean {
  return a.severity === b.severity && a.message === b.message;
}

const prefixOf = (a: readonly string[], b: readonly string[]) => a.length <= b.length && a.every((s, i) => s === b[i]);

export interface Preflight {
  /** The config's plain value with the overrides applied; undefined when there are errors. */
  value: unknown;
  /** Lines to print: file:line:col diagnostics of the file, then the overrides' problems. */
  lines: string[];
}

/**
 * Validates CONFIG as the language server would, then CONFIG with the overrides. A problem the
 * overrides introduce is reported against the override at its key (or all overrides, for a rule that
 * spans keys); the file's own problems keep their file:line:col.
 */
export function preflightConfig(file: string, overrides: readonly Override[]): Preflight {
  const base = validateConfigFile(file);
  const lines = base.diagnostics.map((d) => formatDiagnostic(file, d));
  if (base.diagnostics.some((d) => d.severity === 'error')) return { value: undefined, lines };
  if (overrides.length === 0) return { value: base.value, lines };
  const applied = applyOverrides(base.text, overrides);
  lines.push(...applied.problems);
  const p = parseConfig(applied.text);
  // The same file checks as the file's: relative paths resolve against the config's folder.
  const found = diagnose(p, { path: resolve(file) });
  let errors = applied.problems.length > 0;
  for (const d of found) {
    if (base.diagnostics.some((b) => sameDiagnostic(b, d))) continue;
    const at = locate(p, offsetAt(p.lines, p.text, d.range.start))?.path;
    const owners = overrides.filter((o) => at !== undefined && (prefixOf(o.path, at) || prefixOf(at, o.path)));
    const names = (owners.length ? owners : overrides).map((o) => o.text).join(' ');
    lines.push(`override ${names}: ${d.severity}: ${d.message}`);
    if (d.severity === 'error') errors = true;
  }
  return { value: errors ? undefined : p.value, lines };
}
