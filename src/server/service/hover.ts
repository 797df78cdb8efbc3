// Hover on a key or value: the key's documentation, default and valid range from configSpec (lambda adds
// the paper's values through its spec notes); on a data file, its detected format and pair count.
import * as path from 'node:path';
import { aliasTarget } from '../../common/aliases';
import { FORMATS, specAt } from '../../common/schema';
import { offsetAt, parseConfig, locate, rangeAt } from './document';
import { fieldMarkdown } from './docs';
import { resolveFrom } from './fileChecks';
import { createProbe, type FileProbe } from './fileProbe';
import { countPairs, sniffFile, type PairFormat } from './sniff';
import type { HoverResult, Position } from './types';

function dataFileLines(value: unknown, root: unknown, ctx: { path: string; fs?: FileProbe }): string[] {
  if (typeof value !== 'string' || !ctx.path || !path.isAbsolute(ctx.path)) return [];
  const fs = ctx.fs ?? createProbe();
  const abs = resolveFrom(ctx.path, value);
  if (fs.stat(abs).kind !== 'file') return ['', `File \`${abs}\` not found.`];
  const data = (root as { data?: { format?: unknown } } | null)?.data;
  const fmt = typeof data?.format === 'string' && (FORMATS as readonly string[]).includes(data.format) ? (data.format as PairFormat | 'auto') : 'auto';
  const s = sniffFile(fs, abs, fmt);
  const n = countPairs(fs, abs);
  const lines = ['', `**${path.basename(abs)}**`];
  lines.push(s.format ? `- Format: \`${s.format}\`${fmt === 'auto' ? ' (detected)' : ''}` : `- Format: not detected${s.fatal ? ` (${s.fatal})` : ''}`);
  lines.push(n === undefined ? '- Pairs: not counted (file too large or unreadable)' : `- Pairs: ${n.toLocaleString('en-US')}`);
  if (s.problem) lines.push(`- First bad row: ${s.problem.line ? `line ${s.problem.line}` : `row ${s.problem.row}`}: ${s.problem.message}`);
  else if (s.rows) lines.push(`- First ${s.rows} rows checked: OK`);
  return lines;
}

export function getHover(text: string, pos: Position, ctx: { path: string; fs?: FileProbe }): HoverResult | undefined {
  try {
    const p = parseConfig(text);
    const at = locate(p, offsetAt(p.lines, p.text, pos));
    if (!at) return undefined;
    // A TRL name (aliases.ts) shows the documentation of our key it stands for.
    const alias = specAt(at.path) ? undefined : aliasTarget(at.path.slice(0, -1), at.path[at.path.length - 1] ?? '');
    const spec = specAt(alias ?? at.path);
    if (!spec) return undefined;
    const md = [...(alias ? [`TRL's name for \`${alias.join('.')}\`; prefer ORPO Lab's name.`, ''] : []), fieldMarkdown(alias ?? at.path, spec)];
    const key = at.path.join('.');
    if (key === 'data.train' || key === 'data.eval') {
      let v: unknown = p.value;
      for (const k of at.path) v = (v as Record<string, unknown> | null)?.[k];
      md.push(...dataFileLines(v, p.value, ctx));
    }
    return { contents: { kind: 'markdown', value: md.join('\n') }, range: rangeAt(p, at.range[0], at.range[1]) };
  } catch {
    return undefined;
  }
}
