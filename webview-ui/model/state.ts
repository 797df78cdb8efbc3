// The dashboard's view state: what survives hide, show and reload (VS Code's webview getState/
// setState, or localStorage in the standalone report). Restored state is untrusted: `restoreState`
// keeps only well-typed fields and falls back to the defaults.

export type XAxis = 'step' | 'time';

export interface ViewState {
  /** TensorBoard's smoothing weight, in [0, 0.99]. */
  smoothing: number;
  xAxis: XAxis;
  /** The zoomed x range of the metric charts, null for all. */
  zoom: [number, number] | null;
  /** Run ids hidden from the charts. */
  hidden: string[];
  /** The run whose distributions are shown, and the eval index (-1: follow the latest). */
  distRun: string | null;
  distIndex: number;
  /** Run directories shown (lets the editor panel be restored after a reload). */
  runDirs: string[];
}

export const DEFAULT_STATE: ViewState = { smoothing: 0.6, xAxis: 'step', zoom: null, hidden: [], distRun: null, distIndex: -1, runDirs: [] };

export function restoreState(v: unknown): ViewState {
  const s = { ...DEFAULT_STATE };
  if (typeof v !== 'object' || v === null) return s;
  const o = v as Record<string, unknown>;
  if (typeof o.smoothing === 'number' && o.smoothing >= 0 && o.smoothing <= 0.99) s.smoothing = o.smoothing;
  if (o.xAxis === 'step' || o.xAxis === 'time') s.xAxis = o.xAxis;
  if (Array.isArray(o.zoom) && o.zoom.length === 2 && o.zoom.every((x) => typeof x === 'number' && Number.isFinite(x)) && (o.zoom[0] as number) < (o.zoom[1] as number)) {
    s.zoom = [o.zoom[0] as number, o.zoom[1] as number];
  }
  const strs = (x: unknown) => (Array.isArray(x) && x.every((y) => typeof y === 'string') ? (x as string[]) : null);
  s.hidden = strs(o.hidden) ?? [];
  s.runDirs = strs(o.runDirs) ?? [];
  if (typeof o.distRun === 'string') s.distRun = o.distRun;
  if (typeof o.distIndex === 'number' && Number.isInteger(o.distIndex) && o.distIndex >= -1) s.distIndex = o.distIndex;
  return s;
}
