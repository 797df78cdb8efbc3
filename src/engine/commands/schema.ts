// `orpo-lab schema [--out FILE]`: the experiment config's JSON Schema (draft-07, derived from
// src/common/schema.ts by src/common/jsonSchema.ts) for other YAML tools, e.g. Red Hat's
// `yaml.schemas` or a `# yaml-language-server: $schema=...` modeline. The .vsix ships the same file
// as dist/orpo-experiment.schema.json (written by scripts/build.mjs with this command).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { configJsonSchema } from '../../common/jsonSchema';
import { flagString, parseCommand, type CommandSpec } from '../args';

export const SCHEMA_SPEC: CommandSpec = {
  name: 'schema',
  positionals: '',
  minPositionals: 0,
  maxPositionals: 0,
  summary: "Prints the config's JSON Schema (draft-07), for other YAML tools (yaml-language-server's # yaml-language-server: $schema=...).",
  options: { out: { type: 'string', arg: 'FILE', help: 'write the schema to FILE instead of stdout' } },
};

export async function main(argv: string[]): Promise<number> {
  const out = flagString(parseCommand(SCHEMA_SPEC, argv), 'out');
  const text = JSON.stringify(configJsonSchema(), null, 2) + '\n';
  if (out === undefined) {
    process.stdout.write(text);
    return 0;
  }
  try {
    mkdirSync(dirname(resolve(out)), { recursive: true });
    writeFileSync(out, text);
  } catch (e) {
    process.stderr.write(`orpo-lab schema: cannot write ${out}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
    return 1;
  }
  return 0;
}
