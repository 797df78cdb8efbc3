// A run's identity for the dashboard, from its resolved DIR/config.yaml (issue 2): name, method and λ.
// Takes the parsed YAML (the caller reads and parses the file), so it stays free of node and DOM.
import type { RunInfo } from './webviewProtocol';

/** The last path component, for runs whose config lacks a name. */
export function baseName(dir: string): string {
  const parts = dir.split(/[\\/]+/).filter(Boolean);
  return parts[parts.length - 1] ?? dir;
}

export function runInfoFromConfig(config: unknown, dir: string): RunInfo {
  const o = typeof config === 'object' && config !== null ? (config as Record<string, unknown>) : {};
  const method = typeof o.method === 'string' ? o.method : 'unknown';
  const lambda = method === 'dpo' ? o.beta : o.lambda;
  return {
    id: dir,
    name: typeof o.name === 'string' && o.name ? o.name : baseName(dir),
    method,
    dir,
    ...(typeof lambda === 'number' ? { lambda } : {}),
  };
}
