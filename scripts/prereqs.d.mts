// Types of scripts/prereqs.mjs for its tests (test/scripts/prereqs.test.ts).
export type Need = 'chromium' | 'mesa' | 'blas' | 'codeServer';
export interface Missing { group: string; why: string; packages: string[] }
export function needsOf(files: readonly string[], full: boolean): Set<Need>;
export function codeServerInstalled(cache?: string): boolean;
export function missingPackages(need: ReadonlySet<string>, installed: ReadonlySet<string>, codeServerReady: boolean): Missing[];
export function ensurePrerequisites(need: ReadonlySet<string>, root: string): boolean;
