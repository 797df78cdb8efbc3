// Reads the output of `orpo-lab validate CONFIG` (issue 2: one `file:line:col: error|warning: message`
// line per problem, exit 1 when there is an error) into structured problems for the pre-run check.
// No vscode import.

export interface Problem {
  file: string;
  /** 1-based, as printed. */
  line: number;
  col: number;
  severity: 'error' | 'warning';
  message: string;
}

const LINE = /^(.*?):(\d+):(\d+): (error|warning): (.*)$/;

export function parseProblems(output: string): Problem[] {
  const out: Problem[] = [];
  for (const raw of output.split('\n')) {
    const m = LINE.exec(raw.trimEnd());
    if (!m) continue;
    const [, file, line, col, severity, message] = m as unknown as [string, string, string, string, 'error' | 'warning', string];
    out.push({ file, line: Number(line), col: Number(col), severity, message });
  }
  return out;
}

export type ValidationResult =
  | { kind: 'ok'; warnings: Problem[] }
  | { kind: 'invalid'; errors: Problem[]; warnings: Problem[] }
  /** The validator itself failed (crash, unexpected exit code, no parsable output). */
  | { kind: 'broken'; message: string };

/** Interprets a finished `orpo-lab validate` run. */
export function interpretValidation(code: number | null, stdout: string, stderr: string): ValidationResult {
  const problems = parseProblems(stdout + '\n' + stderr);
  const errors = problems.filter((p) => p.severity === 'error');
  const warnings = problems.filter((p) => p.severity === 'warning');
  if (code === 0 && errors.length === 0) return { kind: 'ok', warnings };
  if ((code === 1 || code === 2) && errors.length > 0) return { kind: 'invalid', errors, warnings };
  const tail = (stderr || stdout).trim().split('\n').slice(-5).join('\n');
  return { kind: 'broken', message: `orpo-lab validate exited with code ${code}${tail ? `: ${tail}` : ''}` };
}

/** A short list for a notification: `line 3: message`, at most `max` entries. */
export function summarizeProblems(errors: readonly Problem[], max = 3): string {
  const shown = errors.slice(0, max).map((p) => `line ${p.line}: ${p.message}`);
  if (errors.length > max) shown.push(`and ${errors.length - max} more`);
  return shown.join('; ');
}
