// `orpo-lab schema [--out FILE]`: the experiment config's JSON Schema (draft-07, derived from
// src/common/schema.ts by src/common/jsonSchema.ts) for other YAML tools, e.g. Red Hat's
// `yaml.schemas` or a `# yaml-language-server: $schema=...` modeline. The .vsix ships the same file
// as dist/orpo-experiment.schema.json (written by scripts/build.mjs with this command).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { configJsonSchema } from '../../common/jsonSchema';
import { UsageError } from '../args';

export async function main(argv: string[]): Promise<number> {
  let out: string | undefined;
  try {
    const { values } = parseArgs({ args: argv, options: { out: { type: 'string' } }, strict: true, allowPositionals: false });
    out = values.out;
  } catch (e) {
    throw new UsageError(`${e instanceof Error ? e.message : String(e)}\nusage: orpo-lab schema [--out FILE]`);
  }
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
