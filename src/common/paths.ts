// Output locations a run must never write to: the kernel's pseudo-filesystems. Under /dev/fd or /proc
// (e.g. a config passed by process substitution with a relative output_dir) Node's recursive mkdir
// spins forever; under /sys writes change the machine. Shared by validation and the engine.

const SYSTEM_ROOTS = ['/dev', '/proc', '/sys'] as const;

/** The pseudo-filesystem root an absolute POSIX path lies under, or undefined. */
export function systemRootOf(absPath: string): string | undefined {
  const p = absPath.replace(/\\/g, '/');
  return SYSTEM_ROOTS.find((r) => p === r || p.startsWith(r + '/'));
}

/** Why an output directory is refused, or undefined when it is acceptable. */
export function outputDirProblem(absPath: string): string | undefined {
  const root = systemRootOf(absPath);
  return root ? `${absPath} is under ${root}, a system pseudo-filesystem; set output_dir to a real directory (a relative output_dir resolves against the config file's folder)` : undefined;
}
