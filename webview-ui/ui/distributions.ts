// The distributions section (distributions.jsonl, issue 5): at one eval step, histograms of per-example
// chosen against rejected log-probs, chosen against rejected rewards, and the log_odds; a step slider
// with play; and offset histograms over all eval steps (TensorBoard's histogram "offset" mode).
// Bin edges are shared over all steps of the run so the x axis holds still while playing.
import type { DistributionsRow } from '../../src/common/metrics';
import { histogram, mean, ridges, sharedEdges } from '../model/histogram';
import type { Theme } from '../theme';
import { canvasCard, type CanvasCard } from './card';
import { drawHistogram, drawRidgeline } from './canvasPlots';

export interface DistRun {
  id: string;
  label: string;
  distributions: readonly DistributionsRow[];
}

export interface DistHandlers {
  select(runId: string, index: number): void;
  save(filename: string, png: string): void;
  theme(): Theme;
}

const BINS = 32;

export class DistributionsView {
  readonly el: HTMLElement;
  private readonly runSelect: HTMLSelectElement;
  private readonly slider: HTMLInputElement;
  private readonly play: HTMLButtonElement;
  private readonly stepLabel: HTMLOutputElement;
  private readonly empty: HTMLParagraphElement;
  private readonly cards: Record<'logps' | 'rewards' | 'log_odds' | 'ridge_logps' | 'ridge_log_odds', CanvasCard>;
  private timer: ReturnType<typeof setInterval> | null = null;
  private run: DistRun | null = null;
  private index = 0;

  constructor(private readonly h: DistHandlers) {
    this.el = document.createElement('div');
    this.el.className = 'dist';
    const bar = document.createElement('div');
    bar.className = 'toolbar';
    this.runSelect = document.createElement('select');
    this.runSelect.setAttribute('aria-label', 'Run whose distributions are shown');
    this.runSelect.addEventListener('change', () => this.h.select(this.runSelect.value, -1));
    this.play = document.createElement('button');
    this.play.textContent = '▶ Play';
    this.play.setAttribute('aria-pressed', 'false');
    this.play.addEventListener('click', () => this.togglePlay());
    this.slider = document.createElement('input');
    this.slider.type = 'range';
    this.slider.min = '0';
    this.slider.step = '1';
    this.slider.setAttribute('aria-label', 'Eval step');
    this.slider.addEventListener('input', () => this.pick(Number(this.slider.value)));
    this.stepLabel = document.createElement('output');
    bar.append(this.runSelect, this.play, this.slider, this.stepLabel);
    this.empty = document.createElement('p');
    this.empty.className = 'empty';
    this.empty.textContent = 'No distributions yet: distributions.jsonl gets a row at every eval.';
    const grid = document.createElement('div');
    grid.className = 'grid';
    const mk = (id: string, title: string) => canvasCard(id, title, h.save, h.theme);
    this.cards = {
      logps: mk('dist-logps', 'Per-example log-probs'),
      rewards: mk('dist-rewards', 'Per-example rewards'),
      log_odds: mk('dist-log-odds', 'Per-example log odds ratio'),
      ridge_logps: mk('ridge-logps', 'Log-probs over eval steps (offset)'),
      ridge_log_odds: mk('ridge-log-odds', 'Log odds over eval steps (offset)'),
    };
    grid.append(...Object.values(this.cards).map((c) => c.el));
    this.el.append(bar, this.empty, grid);
  }

  private pick(i: number): void {
    if (!this.run) return;
    const n = this.run.distributions.length;
    this.h.select(this.run.id, i >= n - 1 ? -1 : i);
  }

  private togglePlay(): void {
    if (this.timer) {
      this.stop();
      return;
    }
    const n = this.run?.distributions.length ?? 0;
    if (n < 2) return;
    if (this.index >= n - 1) this.pick(0);
    this.play.textContent = '⏸ Pause';
    this.play.setAttribute('aria-pressed', 'true');
    this.timer = setInterval(() => {
      const len = this.run?.distributions.length ?? 0;
      if (this.index >= len - 1) this.stop();
      else this.pick(this.index + 1);
    }, 700);
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.play.textContent = '▶ Play';
    this.play.setAttribute('aria-pressed', 'false');
  }

  render(runs: readonly DistRun[], runId: string | null, index: number): void {
    const t = this.h.theme();
    const withData = runs.filter((r) => r.distributions.length > 0);
    const run = withData.find((r) => r.id === runId) ?? withData[0] ?? null;
    this.run = run;
    this.runSelect.replaceChildren(...withData.map((r) => new Option(r.label, r.id, false, r.id === run?.id)));
    this.runSelect.hidden = withData.length < 2;
    this.empty.hidden = run !== null;
    for (const c of Object.values(this.cards)) c.el.hidden = run === null;
    this.slider.disabled = this.play.disabled = !run || run.distributions.length < 2;
    if (!run) {
      this.stepLabel.textContent = '';
      return;
    }
    const rows = run.distributions;
    const n = rows.length;
    this.index = index < 0 || index >= n ? n - 1 : index;
    this.slider.max = String(n - 1);
    this.slider.value = String(this.index);
    const row = rows[this.index] as DistributionsRow;
    this.stepLabel.textContent = `step ${row.step} (eval ${this.index + 1} of ${n}, ${row.chosen_logps.length} examples)`;
    this.slider.setAttribute('aria-valuetext', `step ${row.step}`);

    const pair = (title: string, card: CanvasCard, a: keyof DistributionsRow, b: keyof DistributionsRow) => {
      const e = sharedEdges(rows.flatMap((r) => [r[a] as number[], r[b] as number[]]), BINS);
      card.title.textContent = `${title} at step ${row.step}`;
      if (!e) return;
      drawHistogram(card.canvas, e, [
        { label: 'chosen', color: t.chosen, counts: histogram(row[a] as number[], e), mean: mean(row[a] as number[]) },
        { label: 'rejected', color: t.rejected, counts: histogram(row[b] as number[], e), mean: mean(row[b] as number[]) },
      ], t);
    };
    pair('Per-example log-probs', this.cards.logps, 'chosen_logps', 'rejected_logps');
    pair('Per-example rewards', this.cards.rewards, 'chosen_rewards', 'rejected_rewards');
    const eo = sharedEdges(rows.map((r) => r.log_odds), BINS);
    this.cards.log_odds.title.textContent = `Per-example log odds ratio at step ${row.step}`;
    if (eo) drawHistogram(this.cards.log_odds.canvas, eo, [{ label: 'log odds (chosen vs rejected)', color: t.third, counts: histogram(row.log_odds, eo), mean: mean(row.log_odds) }], t);

    const el = sharedEdges(rows.flatMap((r) => [r.chosen_logps, r.rejected_logps]), BINS);
    if (el) {
      drawRidgeline(this.cards.ridge_logps.canvas, el, [
        { label: 'chosen', color: t.chosen, ridges: ridges(rows.map((r) => ({ step: r.step, values: r.chosen_logps })), el) },
        { label: 'rejected', color: t.rejected, ridges: ridges(rows.map((r) => ({ step: r.step, values: r.rejected_logps })), el) },
      ], this.index, t);
    }
    if (eo) {
      drawRidgeline(this.cards.ridge_log_odds.canvas, eo, [
        { label: 'log odds', color: t.third, ridges: ridges(rows.map((r) => ({ step: r.step, values: r.log_odds })), eo) },
      ], this.index, t);
    }
  }
}
