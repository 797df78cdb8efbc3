// Which engine wrote a run directory (issue 14): DIR/engine.json, written by the TRL export's
// orpo_lab_run.py ({"engine": "trl", "trainer", "trl", "transformers", "export_dir"}). A run without it
// is ORPO Lab's own. Resume Run launches the engine the run was started with. The file crosses a process
// boundary (Python writes it, possibly on another machine), so it is validated here.
import type { Checked } from './webviewProtocol';

export const ENGINE_FILE = 'engine.json';

export type RunEngine = 'orpo-lab' | 'trl';

export interface EngineInfo {
  engine: RunEngine;
  /** TRL runs: the trainer class and the export folder that train.py ran from, when recorded. */
  trainer?: string;
  exportDir?: string;
}

/** engine.json's text (undefined: no file, an ORPO Lab run); an error names the file and what was expected. */
export function parseEngineInfo(text: string | undefined, where = ENGINE_FILE): Checked<EngineInfo> {
  if (text === undefined) return { ok: true, value: { engine: 'orpo-lab' } };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { ok: false, error: `${where}: not valid JSON` };
  }
  const o = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  if (!o || (o.engine !== 'trl' && o.engine !== 'orpo-lab')) return { ok: false, error: `${where}: expected {"engine": "trl" or "orpo-lab", ...}` };
  return {
    ok: true,
    value: {
      engine: o.engine,
      ...(typeof o.trainer === 'string' ? { trainer: o.trainer } : {}),
      ...(typeof o.export_dir === 'string' ? { exportDir: o.export_dir } : {}),
    },
  };
}
