// `orpo-lab validate CONFIG`: every problem the language server reports, as `file:line:col: severity:
// message` lines on stdout (1-based), then a summary on stderr. Exit code 1 if any error, else 0.
import { UsageError, parseArgs } from '../args';
import { formatDiagnostic, validateConfigFile } from '../../server/service';

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const [file, ...extra] = args.positionals;
  if (!file || extra.length || args.flags.size) throw new UsageError('usage: orpo-lab validate CONFIG');
  const { diagnostics } = validateConfigFile(file);
  for (const d of diagnostics) process.stdout.write(formatDiagnostic(file, d) + '\n');
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  process.stderr.write(`${file}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`);
  return errors > 0 ? 1 : 0;
}
