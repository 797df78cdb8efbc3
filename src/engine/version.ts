// The engine's version: the one in the package.json above this file (dist/engine/cli.js or
// src/engine/*.ts), for `--version` and the key of `auto`'s timing cache.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function packageVersion(from: string = __dirname): string | undefined {
  for (let d = from; ; d = dirname(d)) {
    const p = join(d, 'package.json');
    if (existsSync(p)) {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'orpo-lab' && typeof pkg.version === 'string') return pkg.version;
    }
    if (dirname(d) === d) return undefined;
  }
}
