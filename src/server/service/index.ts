// The ORPO Lab config validation service: a pure library (no LSP imports) used by the language server
// (src/server/lsp.ts), `orpo-lab validate` and the engine's pre-flight check. See docs/lsp.md.
export type { ConfigDiagnostic, Position, Range, TextEdit, Severity, Fix, CompletionItem, HoverResult, CodeAction, CodeLens, MarkupContent } from './types';
export { CompletionKind, fixesOf } from './types';
export { validateDocument, validateConfigFile, formatDiagnostic, type ValidationContext } from './validate';
export { getCompletions } from './completion';
export { getHover } from './hover';
export { getCodeActions, getCodeLenses, START_RUN_COMMAND } from './actions';
export { createProbe, nodeFileAccess, memoryFileAccess, type FileProbe, type FileAccess, type FileStat, type FileKind } from './fileProbe';
export { sniffFile, sniffText, countPairs, detectFormat, checkRow, type PairFormat, type SniffResult } from './sniff';
export { START_SWEEP_COMMAND, DEFAULT_STEP_SECONDS } from './sweepLens';
export { sweepablePaths } from './sweepCheck';
