// `orpo-lab validate CONFIG`: every problem the language server reports, as `file:line:col: severity:
// message` lines on stdout (1-based), then a summary on stderr. Exit code 1 if any error, else 0. As the
// language server, it checks `backend: webgpu` runs against the WebGPU adapter last seen here.
import { parseCommand, type CommandSpec } from '../args';
import { formatDiagnostic, validateConfigFile } from '../../server/service';
import { readGpuRecord } from '../../server/service/gpuRecord';

export const VALIDATE_SPEC: CommandSpec = {
  name: 'validate',
  positionals: 'CONFIG',
  minPositionals: 1,
  maxPositionals: 1,
  summary: 'Prints every problem of the experiment config CONFIG as file:line:col: severity: message (the language server\'s checks). Exit 1 if any error.',
  options: {},
};

export async function main(argv: string[]): Promise<number> {
  const args = parseCommand(VALIDATE_SPEC, argv);
  const file = args.positionals[0] as string;
  const { diagnostics } = validateConfigFile(file, undefined, readGpuRecord());
  for (const d of diagnostics) process.stdout.write(formatDiagnostic(file, d) + '\n');
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  process.stderr.write(`${file}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`);
  return errors > 0 ? 1 : 0;
}
