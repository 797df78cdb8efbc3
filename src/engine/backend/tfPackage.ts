// Where the engine finds libtensorflow's packages (@tensorflow/tfjs-node-gpu, @tensorflow/tfjs-node):
// first in the folder the extension's "Install CUDA Backend" command installs into
// (<globalStorage>/cuda, passed as ORPO_LAB_CUDA_DIR: npm install --prefix puts packages in its
// node_modules), then beside the engine (node_modules, when installed by hand).
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const TF_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;
export type TfPackage = (typeof TF_PACKAGES)[number];

/** The folder the extension installs the CUDA backend into, when set. */
export function cudaDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const d = env.ORPO_LAB_CUDA_DIR?.trim();
  return d ? d : undefined;
}

/** The entry file of `pkg`: from DIR/node_modules when DIR is given and holds it, else as Node resolves it here. */
export function resolveTfPackage(pkg: TfPackage, dir: string | undefined = cudaDir()): { path: string; from: string } {
  if (dir && existsSync(join(dir, 'node_modules', ...pkg.split('/'), 'package.json'))) {
    return { path: require.resolve(pkg, { paths: [dir] }), from: dir };
  }
  return { path: require.resolve(pkg), from: 'node_modules' };
}

/**
 * Loads the first of tfjs-node-gpu, tfjs-node that resolves (the package registers the `tensorflow`
 * backend with tfjs's global engine). Throws one message naming each package and why it failed.
 */
export function requireTfPackage(dir: string | undefined = cudaDir()): { pkg: TfPackage; path: string; from: string } {
  const errors: string[] = [];
  for (const pkg of TF_PACKAGES) {
    let found: { path: string; from: string };
    try {
      found = resolveTfPackage(pkg, dir);
    } catch {
      errors.push(`${pkg}: not installed${dir ? ` (not in ${dir} either)` : ''}`);
      continue;
    }
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional native package, loaded only when chosen
      require(found.path);
      return { pkg, ...found };
    } catch (e) {
      errors.push(`${pkg} (${found.path}): ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  }
  throw new Error(errors.join('; '));
}
