// `orpo-lab train` for people: on a terminal the engine's events (src/common/events.ts) become one
// progress line rewritten in place (step/total, loss, margin, accuracy, ETA), permanent lines for
// eval results, samples, checkpoints and warnings, and a summary at the end. `renderEvent` is pure
// (state in, text out); `humanSink` writes it to a terminal and keeps log lines from tearing the
// progress line. JSON events (`--json`, or stdout not a terminal) bypass all of this.
import type { EngineEvent } from '../../common/events';

export interface HumanState {
  total: number;
  startStep: number;
  /** When the `started` event arrived (ms). */
  startedAt: number;
  /** Last train and eval rows seen. */
  train?: Record<string, number>;
  eval?: Record<string, number>;
}

export interface Rendered {
  /** Permanent lines to print, in order. */
  lines: string[];
  /** The new progress line, when it changed. */
  status?: string;
}

export function newHumanState(): HumanState {
  return { total: 0, startStep: 0, startedAt: 0 };
}

/** 4 significant figures, without exponent noise for ordinary magnitudes. */
export function fmtNum(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return v === undefined ? '–' : String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return v.toFixed(4);
}

/** 42s, 3m05s, 1h02m. */
export function fmtDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Time left from the pace since the run (re)started; undefined before the first step. */
export function eta(st: HumanState, step: number, now: number): number | undefined {
  const done = step - st.startStep;
  if (done <= 0 || st.startedAt <= 0) return undefined;
  return ((now - st.startedAt) / 1000 / done) * Math.max(0, st.total - step);
}

/** One line of at most `max` characters; control characters shown as JSON escapes. */
function oneLine(text: string, max: number): string {
  const flat = JSON.stringify(text.replace(/\s+/g, ' ').trim()).slice(1, -1);
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

const SUMMARY_KEYS = ['loss', 'nll_loss', 'log_odds_ratio', 'rewards/accuracies', 'rewards/margins', 'logps/chosen', 'logps/rejected'];

function metricsLine(row: Record<string, number>, prefix: string): string {
  return SUMMARY_KEYS.filter((k) => typeof row[prefix + k] === 'number').map((k) => `${k} ${fmtNum(row[prefix + k])}`).join('  ');
}

/** What one event shows. Mutates `st` (the run's progress so far). */
export function renderEvent(st: HumanState, e: EngineEvent, now: number): Rendered {
  switch (e.type) {
    case 'backend':
      return { lines: [`backend ${e.backend} (${e.requested === 'auto' ? 'auto' : 'named'}): ${e.reason}`] };
    case 'started': {
      st.total = e.total_steps;
      st.startStep = e.start_step;
      st.startedAt = now;
      const from = e.start_step > 0 ? `, resuming at step ${e.start_step}` : '';
      return { lines: [`${e.name} (${e.method}) on ${e.backend}: ${e.device}`, `run directory: ${e.run_dir}`, `training ${e.total_steps} steps${from}`] };
    }
    case 'metrics': {
      if (e.split === 'eval') {
        st.eval = e.row;
        return { lines: [`eval @ step ${e.row.step}: ${metricsLine(e.row, 'eval/')}`] };
      }
      st.train = e.row;
      const r = e.row;
      const left = eta(st, r.step, now);
      const parts = [
        `step ${r.step}/${st.total}`, `loss ${fmtNum(r.loss)}`, `margin ${fmtNum(r['rewards/margins'])}`,
        `acc ${fmtNum(r['rewards/accuracies'])}`, left === undefined ? '' : `ETA ${fmtDuration(left)}`,
      ];
      return { lines: [], status: parts.filter(Boolean).join('  ') };
    }
    case 'distributions':
      return { lines: [] };
    case 'sample':
      return { lines: [`sample @ step ${e.step}: ${oneLine(e.prompt, 40)} → ${oneLine(e.completion, 60)}`] };
    case 'checkpoint':
      return { lines: [`checkpoint: ${e.path}`] };
    case 'warning':
      return { lines: [`warning: ${e.message}`] };
    case 'finished': {
      const lines = [`${e.reason} at step ${e.step}/${st.total} in ${fmtDuration(e.wall_s)}`];
      const train = metricsLine(e.summary, '');
      const ev = metricsLine(e.summary, 'eval/');
      if (train) lines.push(`  train: ${train}`);
      if (ev) lines.push(`  eval:  ${ev}`);
      lines.push(`run directory: ${e.run_dir}`);
      if (e.model_dir) lines.push(`final model: ${e.model_dir} (a transformers directory; model.from: ${e.model_dir} starts from it)`);
      lines.push(e.reason === 'stopped' ? `resume: orpo-lab train ${e.run_dir}/config.yaml --resume ${e.run_dir}` : `report: orpo-lab report ${e.run_dir} --out report.html`);
      return { lines };
    }
    case 'error':
      return { lines: [`error: ${e.message}${e.checkpoint ? ` (last good checkpoint: ${e.checkpoint})` : ''}`] };
  }
}

export interface TermStream {
  write(s: string): unknown;
  columns?: number;
}

/** Writes rendered events to `out` (a terminal) and log lines to `err`, clearing the progress line first. */
export function humanSink(out: TermStream, err: TermStream, now: () => number = Date.now): { emit: (e: EngineEvent) => void; log: (line: string) => void } {
  const st = newHumanState();
  let status = '';
  const clear = () => { if (status) out.write('\r\x1b[K'); };
  const draw = () => { if (status) out.write(status.slice(0, Math.max(20, (out.columns || 100) - 1))); };
  return {
    emit(e) {
      const r = renderEvent(st, e, now());
      clear();
      for (const l of r.lines) out.write(l + '\n');
      if (r.status !== undefined) status = r.status;
      if (e.type === 'finished' || e.type === 'error') status = '';
      draw();
    },
    log(line) {
      clear();
      err.write(`[orpo-lab] ${line}\n`);
      draw();
    },
  };
}
