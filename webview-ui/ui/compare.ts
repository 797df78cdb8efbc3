// Compare runs, final distributions side by side (issue 5; the analogue of the ORPO paper's Figure 5,
// which sets the reward distributions of SFT, RLHF, DPO and ORPO next to each other): per run, the last
// eval's chosen against rejected log-probs on one shared x scale, and the per-example log odds and
// reward margins of every run overlaid.
import type { DistributionsRow } from '../../src/common/metrics';
import { histogram, mean, sharedEdges } from '../model/histogram';
import type { Theme } from '../theme';
import { canvasCard, type CanvasCard } from './card';
import { drawHistogram } from './canvasPlots';

export interface CompareRun {
  id: string;
  label: string;
  color: string;
  last: DistributionsRow;
}

const BINS = 32;

export class CompareView {
  readonly el: HTMLElement;
  private readonly grid: HTMLElement;
  private cards = new Map<string, CanvasCard>();

  constructor(private readonly save: (filename: string, png: string) => void, private readonly theme: () => Theme) {
    this.el = document.createElement('div');
    this.grid = document.createElement('div');
    this.grid.className = 'grid';
    this.el.append(this.grid);
  }

  private card(id: string, title: string): CanvasCard {
    let c = this.cards.get(id);
    if (!c) {
      c = canvasCard(id, title, this.save, this.theme);
      this.cards.set(id, c);
    }
    c.title.textContent = title;
    return c;
  }

  render(runs: readonly CompareRun[]): void {
    const t = this.theme();
    if (runs.length < 2) {
      this.grid.replaceChildren();
      return;
    }
    const shown: CanvasCard[] = [];
    // Cards go into the grid before drawing, so each canvas is sized to its card (not to a detached 0 px box).
    const draws: (() => void)[] = [];
    const el = sharedEdges(runs.flatMap((r) => [r.last.chosen_logps, r.last.rejected_logps]), BINS);
    runs.forEach((r, i) => {
      const c = this.card(`final-logps-${i}`, `${r.label}: log-probs at step ${r.last.step}`);
      if (el) {
        draws.push(() => drawHistogram(c.canvas, el, [
          { label: 'chosen', color: t.chosen, counts: histogram(r.last.chosen_logps, el), mean: mean(r.last.chosen_logps) },
          { label: 'rejected', color: t.rejected, counts: histogram(r.last.rejected_logps, el), mean: mean(r.last.rejected_logps) },
        ], t));
      }
      shown.push(c);
    });
    const overlay = (id: string, title: string, values: (r: CompareRun) => number[]) => {
      const e = sharedEdges(runs.map(values), BINS);
      const c = this.card(id, title);
      if (e) draws.push(() => drawHistogram(c.canvas, e, runs.map((r) => ({ label: r.label, color: r.color, counts: histogram(values(r), e), mean: mean(values(r)) })), t));
      shown.push(c);
    };
    overlay('final-log-odds', 'Final per-example log odds, by run', (r) => r.last.log_odds);
    overlay('final-margins', 'Final per-example reward margins, by run', (r) => r.last.chosen_rewards.map((c, k) => c - (r.last.rejected_rewards[k] ?? NaN)));
    this.grid.replaceChildren(...shown.map((c) => c.el));
    for (const d of draws) d();
  }
}
