// Code actions and code lenses. Quick fixes are computed with the diagnostics (fixes.ts) and carried in
// their `data`, so a code action request only picks the diagnostics that touch the requested range.
// The code lens "▶ Start ORPO run" at the top of the file runs the extension's `orpoLab.startRun`.
import type { FileProbe } from './fileProbe';
import { fixesOf, type CodeAction, type CodeLens, type ConfigDiagnostic, type Range } from './types';
import { sweepLenses } from './sweepLens';
import { validateDocument } from './validate';

export const START_RUN_COMMAND = 'orpoLab.startRun';

const before = (a: { line: number; character: number }, b: { line: number; character: number }) => a.line < b.line || (a.line === b.line && a.character < b.character);
const overlaps = (a: Range, b: Range) => !before(a.end, b.start) && !before(b.end, a.start);

/**
 * Quick fixes for the diagnostics touching `range`. Pass the diagnostics the client sent back (LSP
 * CodeActionContext.diagnostics); without them the document is validated again.
 */
export function getCodeActions(text: string, range: Range, ctx: { path: string; fs?: FileProbe; diagnostics?: ConfigDiagnostic[] }): CodeAction[] {
  try {
    const diags = ctx.diagnostics ?? validateDocument(text, { path: ctx.path, ...(ctx.fs ? { fs: ctx.fs } : {}) });
    return diags
      .filter((d) => overlaps(d.range, range))
      .flatMap((d) => fixesOf(d).map((f, i) => ({ title: f.title, kind: 'quickfix' as const, isPreferred: i === 0, diagnostic: d, edits: f.edits, ...(f.command ? { command: f.command } : {}) })));
  } catch {
    return [];
  }
}

/** One lens at the top of the file, and one on `sweep:` when there is one; `uri` is passed to the command. */
export function getCodeLenses(text: string, uri: string): CodeLens[] {
  const top: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return [{ range: top, command: { title: '▶ Start ORPO run', command: START_RUN_COMMAND, arguments: [uri] } }, ...sweepLenses(text, uri)];
}
