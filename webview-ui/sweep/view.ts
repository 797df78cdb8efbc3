// The sweep view (issue 15): a sortable table of final and best eval metrics per variant group (mean ±
// std over seeds), a chart of a metric against each swept factor, and the chosen/rejected log-prob
// ridgelines of every variant at one eval step. Clicking a row, a point or a ridge highlights that group
// in all three; clicking it again clears the highlight.
import { readTheme } from '../theme';
import { fmtNum } from '../ui/format';
import {
  DEFAULT_METRIC, commonSteps, evalMetrics, factors, fmtValue, groupKey, metricVsFactor, orderedVariants, tableRows,
  type SweepPayload, type TableRow,
} from './model';
import { drawFactorChart, drawSweepRidges, type Hits } from './plots';

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
};

const TABLE_METRICS = ['eval/rewards/margins', 'eval/rewards/accuracies', 'eval/loss', 'eval/nll_loss', 'eval/log_odds_ratio', 'eval/logps/chosen', 'eval/logps/rejected'];

const cell = (s: { mean: number; std: number; n: number }): string =>
  Number.isNaN(s.mean) ? '–' : s.n > 1 ? `${fmtNum(s.mean)} ± ${fmtNum(s.std)}` : fmtNum(s.mean);

export class SweepView {
  private highlight: string | undefined;
  private sort: { col: string; desc: boolean } = { col: '', desc: false };
  private metric: string;
  private step: number | undefined;
  private readonly table = el('table', undefined, 'sweep-table');
  private readonly charts = el('div', undefined, 'sweep-charts');
  private readonly ridges = el('canvas');
  private readonly metrics: string[];

  constructor(private readonly root: HTMLElement, private readonly p: SweepPayload) {
    this.metrics = evalMetrics(p);
    this.metric = this.metrics.includes(DEFAULT_METRIC) ? DEFAULT_METRIC : (this.metrics[0] ?? DEFAULT_METRIC);
    const steps = commonSteps(p);
    this.step = steps[steps.length - 1];
    root.replaceChildren();
    const h1 = el('h1', `Sweep ${p.name}`);
    const sub = el('p', `${p.variants.length} variants over ${p.axes.map((a) => `${a.path} ∈ {${a.values.map(fmtValue).join(', ')}}`).join(' × ')} · ${p.dir}`, 'muted');
    root.append(h1, sub);
    if (p.problems.length) {
      const ul = el('ul', undefined, 'problems');
      for (const pr of p.problems) ul.append(el('li', pr));
      root.append(ul);
    }
    const tableSec = this.section('sweep-table-section', 'Final and best eval metrics (mean ± std over seeds)');
    tableSec.append(this.table);
    const chartSec = this.section('sweep-factors', 'Metric against each swept value');
    const pick = el('select');
    pick.setAttribute('aria-label', 'Metric');
    for (const m of this.metrics) pick.append(new Option(m, m, false, m === this.metric));
    pick.addEventListener('change', () => { this.metric = pick.value; this.drawCharts(); });
    chartSec.append(pick, this.charts);
    const ridgeSec = this.section('sweep-ridges', 'Chosen and rejected log-prob distributions per variant');
    const stepPick = el('select');
    stepPick.setAttribute('aria-label', 'Eval step');
    for (const s of steps) stepPick.append(new Option(`step ${s}`, String(s), false, s === this.step));
    stepPick.addEventListener('change', () => { this.step = Number(stepPick.value); this.drawRidges(); });
    const box = el('div', undefined, 'plot');
    box.append(this.ridges);
    ridgeSec.append(stepPick, box);
    this.ridges.setAttribute('role', 'img');
    this.ridges.setAttribute('aria-label', 'Log-prob distributions per variant');
    this.onClick(this.ridges, () => this.ridgeHits);
    this.draw();
    window.addEventListener('resize', () => this.draw());
  }

  private ridgeHits: Hits = [];

  private section(id: string, title: string): HTMLElement {
    const s = el('section', undefined, 'section');
    s.id = id;
    s.append(el('h2', title));
    this.root.append(s);
    return s;
  }

  private onClick(canvas: HTMLCanvasElement, hits: () => Hits): void {
    canvas.addEventListener('click', (ev) => {
      const r = canvas.getBoundingClientRect();
      const x = ev.clientX - r.left;
      const y = ev.clientY - r.top;
      const hit = hits().find((h) => x >= h.x0 && x <= h.x1 && y >= h.y0 && y <= h.y1);
      if (hit) this.setHighlight(hit.group);
    });
  }

  setHighlight(group: string | undefined): void {
    this.highlight = group === this.highlight ? undefined : group;
    this.draw();
  }

  get highlighted(): string | undefined {
    return this.highlight;
  }

  private draw(): void {
    this.drawTable();
    this.drawCharts();
    this.drawRidges();
  }

  private drawTable(): void {
    const fs = factors(this.p);
    const ms = TABLE_METRICS.filter((m) => this.metrics.includes(m));
    let rows = tableRows(this.p, ms);
    const { col, desc } = this.sort;
    const keyOf = (r: TableRow): number | string => {
      if (fs.includes(col)) return fmtValue(r.values[col]);
      const [m, which] = col.split('|') as [string, 'final' | 'best'];
      return r.cells[m]?.[which].mean ?? NaN;
    };
    if (col) rows = [...rows].sort((a, b) => {
      const ka = keyOf(a);
      const kb = keyOf(b);
      const c = typeof ka === 'number' && typeof kb === 'number' ? (Number.isNaN(ka) ? 1 : Number.isNaN(kb) ? -1 : ka - kb) : String(ka).localeCompare(String(kb), undefined, { numeric: true });
      return desc ? -c : c;
    });
    const head = el('tr');
    const th = (label: string, id: string) => {
      const h = el('th');
      const b = el('button', label + (col === id ? (desc ? ' ▼' : ' ▲') : ''));
      b.addEventListener('click', () => { this.sort = { col: id, desc: col === id ? !desc : false }; this.drawTable(); });
      h.setAttribute('aria-sort', col === id ? (desc ? 'descending' : 'ascending') : 'none');
      h.append(b);
      head.append(h);
    };
    for (const f of fs) th(f, f);
    head.append(el('th', 'seeds'));
    for (const m of ms) { th(`${m.slice(5)} final`, `${m}|final`); th(`${m.slice(5)} best`, `${m}|best`); }
    const body = rows.map((r) => {
      const tr = el('tr');
      tr.dataset.group = r.key;
      tr.tabIndex = 0;
      if (r.key === this.highlight) tr.className = 'highlight';
      for (const f of fs) tr.append(el('td', fmtValue(r.values[f])));
      tr.append(el('td', String(r.variants.length)));
      for (const m of ms) { tr.append(el('td', cell(r.cells[m]!.final), 'num')); tr.append(el('td', cell(r.cells[m]!.best), 'num')); }
      tr.addEventListener('click', () => this.setHighlight(r.key));
      tr.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); this.setHighlight(r.key); } });
      return tr;
    });
    const thead = el('thead');
    thead.append(head);
    const tbody = el('tbody');
    tbody.append(...body);
    this.table.replaceChildren(thead, tbody);
  }

  private drawCharts(): void {
    const t = readTheme();
    this.charts.replaceChildren();
    const fs = factors(this.p);
    if (fs.length === 0) this.charts.append(el('p', 'Only seeds are swept: the table shows the spread over seeds.', 'muted'));
    for (const f of fs) {
      const card = el('section', undefined, 'card');
      card.dataset.factor = f;
      card.append(el('h3', `${this.metric} against ${f}`));
      const box = el('div', undefined, 'plot');
      const canvas = el('canvas');
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', `${this.metric} against ${f}`);
      box.append(canvas);
      card.append(box);
      this.charts.append(card);
      const { xs, lines } = metricVsFactor(this.p, f, this.metric);
      if (!lines.some((l) => l.points.length)) {
        card.append(el('p', `No ${this.metric} values yet.`, 'muted'));
        continue;
      }
      const hits = drawFactorChart(canvas, xs, lines, this.highlight, t);
      this.onClick(canvas, () => hits);
    }
  }

  private drawRidges(): void {
    const step = this.step;
    const rows = orderedVariants(this.p).flatMap((v) => {
      const d = v.distributions.find((r) => r.step === step);
      return d ? [{ label: v.name, group: groupKey(this.p, v.values), chosen: d.chosen_logps, rejected: d.rejected_logps }] : [];
    });
    if (!rows.length) {
      this.ridgeHits = [];
      return;
    }
    this.ridgeHits = drawSweepRidges(this.ridges, rows, this.highlight, readTheme());
  }
}
