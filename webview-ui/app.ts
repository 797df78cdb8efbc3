// The dashboard: keeps every shown run (columnar metrics, distributions, samples), applies host
// messages (src/common/webviewProtocol.ts) as they arrive, and redraws what changed once per animation frame.
// Visible charts are drawn in the frame; charts scrolled out of view catch up one per idle slice, so a
// run of 100,000 logged steps stays responsive. Each frame is timed as the performance measure
// "orpo-frame", each catch-up slice as "orpo-idle", and per chart the data shaping ("orpo-align") and
// the drawing ("orpo-draw"); scripts/bench-dashboard.mjs reads them.
import type { DistributionsRow } from '../src/common/metrics';
import type { Host } from './host';
import { align } from './model/align';
import { chartSeries } from './model/chartSeries';
import { CHARTS, lossSpec, type ChartSpec } from './model/charts';
import { metricsCsv } from './model/csv';
import { hasOddsRatioTerm, MetricSeries } from './model/series';
import { restoreState, type ViewState } from './model/state';
import { parseHostMessage, type HostMessage, type RunInfo, type RunPayload, type SampleRow } from '../src/common/webviewProtocol';
import { readTheme, roleColor, type Theme } from './theme';
import { CompareView } from './ui/compare';
import { DistributionsView } from './ui/distributions';
import { MetricChart } from './ui/metricChart';
import { renderGone, section } from './ui/card';
import { renderSamples } from './ui/samples';
import { Toolbar } from './ui/toolbar';

interface RunModel {
  info: RunInfo;
  /** The run's folder no longer exists. */
  gone: boolean;
  label: string;
  color: string;
  series: MetricSeries;
  distributions: DistributionsRow[];
  samples: SampleRow[];
}

type Part = 'charts' | 'toolbar' | 'dist' | 'compare' | 'samples';
const ALL: readonly Part[] = ['charts', 'toolbar', 'dist', 'compare', 'samples'];

/** Milliseconds of drawing per animation frame, leaving the rest of 16 ms to the browser. */
const FRAME_BUDGET_MS = 8;

export class Dashboard {
  private runs: RunModel[] = [];
  private state: ViewState;
  private theme: Theme = readTheme();
  private readonly toolbar: Toolbar;
  private readonly charts: { spec: ChartSpec; chart: MetricChart }[];
  private readonly dist: DistributionsView;
  private readonly compare: CompareView;
  private readonly problems = document.createElement('ul');
  private readonly gone = document.createElement('div');
  private readonly sections: Record<'metrics' | 'dist' | 'compare' | 'samples', { el: HTMLElement; body: HTMLElement }>;
  private readonly dirtyCharts = new Set<MetricChart>();
  private readonly dirty = new Set<Exclude<Part, 'charts'>>();
  private frame = 0;
  private idle: ReturnType<typeof setTimeout> | null = null;
  private loaded = false;
  private measures = 0;

  constructor(private readonly root: HTMLElement, private readonly host: Host) {
    this.state = restoreState(host.getState());
    const save = (filename: string, data: string) => host.post({ type: 'save', kind: 'png', filename, data });
    this.toolbar = new Toolbar({
      smoothing: (w) => this.setState({ smoothing: w }, ['charts', 'toolbar']),
      xAxis: (x) => this.setState({ xAxis: x, zoom: null }, ['charts', 'toolbar']),
      resetZoom: () => this.setState({ zoom: null }, ['charts', 'toolbar']),
      exportCsv: () => host.post({ type: 'save', kind: 'csv', filename: 'metrics.csv', data: metricsCsv(this.visibleRuns().map((r) => ({ name: r.info.name, method: r.info.method, train: r.series.train, eval: r.series.eval }))) }),
      toggleRun: (id, shown) => this.setState({ hidden: shown ? this.state.hidden.filter((h) => h !== id) : [...this.state.hidden, id] }, ALL),
    });
    this.problems.className = 'problems';
    this.sections = {
      metrics: section('metrics', 'Metrics'),
      dist: section('distributions', 'Distributions'),
      compare: section('compare', 'Compare runs: final distributions'),
      samples: section('samples', 'Samples'),
    };
    this.charts = CHARTS.map((spec) => ({
      spec,
      chart: new MetricChart(spec.id, spec.title, { zoom: (r) => this.setState({ zoom: r }, ['charts', 'toolbar']), save }, this.theme),
    }));
    this.sections.metrics.body.className = 'grid';
    this.sections.metrics.body.append(...this.charts.map((c) => c.chart.el));
    this.dist = new DistributionsView({ select: (id, i) => this.setState({ distRun: id, distIndex: i }, ['dist']), save, theme: () => this.theme });
    this.sections.dist.body.append(this.dist.el);
    this.compare = new CompareView(save, () => this.theme);
    this.sections.compare.body.append(this.compare.el);
    this.gone.className = 'gone';
    this.gone.setAttribute('role', 'status');
    root.append(this.toolbar.el, this.gone, this.problems, ...Object.values(this.sections).map((s) => s.el));
    root.classList.add('no-runs');
    this.invalidate(['toolbar']);

    const io = new IntersectionObserver((entries) => {
      for (const e of entries) {
        const c = this.charts.find((x) => x.chart.el === e.target)?.chart;
        if (c) c.visible = e.isIntersecting;
      }
      this.schedule();
    });
    for (const c of this.charts) io.observe(c.chart.el);
    new ResizeObserver(() => {
      for (const c of this.charts) c.chart.resize();
      this.invalidate(['charts', 'dist', 'compare']);
    }).observe(this.sections.metrics.body);
    new MutationObserver(() => {
      this.theme = readTheme();
      for (const c of this.charts) c.chart.setTheme(this.theme);
      this.invalidate(ALL);
    }).observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
    host.listen((data) => this.receive(data));
    host.post({ type: 'ready' });
  }

  private setState(patch: Partial<ViewState>, parts: readonly Part[]): void {
    this.state = { ...this.state, ...patch };
    this.host.setState(this.state);
    this.invalidate(parts);
  }

  private invalidate(parts: readonly Part[]): void {
    for (const p of parts) {
      if (p === 'charts') for (const c of this.charts) this.dirtyCharts.add(c.chart);
      else this.dirty.add(p);
    }
    this.schedule();
  }

  private receive(data: unknown): void {
    const m = parseHostMessage(data);
    if (!m.ok) {
      this.addProblems([`dashboard: ignored a message: ${m.error}`]);
      this.host.post({ type: 'error', message: m.error });
      return;
    }
    this.apply(m.value);
  }

  private apply(m: HostMessage): void {
    switch (m.type) {
      case 'runs':
        this.runs = [];
        this.problems.replaceChildren();
        m.runs.forEach((p) => this.addRun(p));
        this.setState({ runDirs: m.runs.map((r) => r.info.dir) }, ALL);
        this.loaded = true;
        return;
      case 'append': {
        const r = this.runs.find((x) => x.info.id === m.runId);
        if (!r) return;
        r.series.appendRows(m.metrics);
        for (const d of m.distributions) {
          while (r.distributions.length && (r.distributions[r.distributions.length - 1] as DistributionsRow).step >= d.step) r.distributions.pop();
          r.distributions.push(d);
        }
        r.samples.push(...m.samples);
        this.addProblems(m.problems);
        this.invalidate([...(m.metrics.length ? ['charts' as const] : []), ...(m.distributions.length ? ['dist' as const, 'compare' as const] : []), ...(m.samples.length ? ['samples' as const] : [])]);
        return;
      }
      case 'gone': {
        const r = this.runs.find((x) => x.info.id === m.runId);
        if (r) r.gone = true;
        this.invalidate(['toolbar']);
        return;
      }
      case 'reset': {
        const r = this.runs.find((x) => x.info.id === m.runId);
        if (!r) return;
        Object.assign(r, { series: new MetricSeries(hasOddsRatioTerm(r.info.method)), distributions: [], samples: [] });
        this.invalidate(ALL);
        return;
      }
      default: {
        const never: never = m;
        throw new Error(`unhandled message ${JSON.stringify(never)}`);
      }
    }
  }

  private addRun(p: RunPayload): void {
    // An SFT run next to ORPO runs draws no odds-ratio term (its loss − nll_loss is 0 at every step).
    const series = new MetricSeries(hasOddsRatioTerm(p.info.method));
    series.appendRows(p.metrics);
    const color = this.theme.palette[this.runs.length % this.theme.palette.length] as string;
    this.runs.push({ info: p.info, gone: p.gone === true, label: `${p.info.name} (${p.info.method})`, color, series, distributions: [...p.distributions], samples: [...p.samples] });
    this.addProblems(p.problems.map((x) => `${p.info.name}: ${x}`));
  }

  private addProblems(ps: readonly string[]): void {
    for (const p of ps.slice(0, 50)) {
      const li = document.createElement('li');
      li.textContent = p;
      this.problems.append(li);
    }
  }

  private visibleRuns(): RunModel[] {
    return this.runs.filter((r) => !this.state.hidden.includes(r.info.id));
  }

  private schedule(): void {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.render());
  }

  /** Records a performance measure; the timeline is cleared now and then so a long run cannot fill it. */
  private measure(name: string, start: number, end = performance.now()): void {
    if (++this.measures % 5000 === 0) performance.clearMeasures();
    performance.measure(name, { start, end });
  }

  private timed(name: string, fn: () => void): void {
    const t0 = performance.now();
    fn();
    this.measure(name, t0);
  }

  /**
   * One animation frame: the cheap parts, then visible dirty charts until the frame's budget is
   * spent (at least one per frame). Charts left over keep their place in the queue and go first in
   * the next frame, so under a stream of rows every chart still updates within a few frames.
   */
  private render(): void {
    this.frame = 0;
    let more = false;
    this.timed('orpo-frame', () => {
      const start = performance.now();
      this.renderRest();
      let drawn = 0;
      for (const c of [...this.dirtyCharts]) {
        if (!c.visible) continue;
        if (drawn > 0 && performance.now() - start > FRAME_BUDGET_MS) {
          more = true;
          break;
        }
        this.drawChart(c);
        drawn++;
      }
    });
    if (more) this.schedule();
    else this.catchUp();
  }

  /** Draws one off-screen chart per idle slice until none is left, then marks the page ready. */
  private catchUp(): void {
    if (this.idle) return;
    const next = this.dirtyCharts.values().next();
    if (next.done) {
      if (this.loaded) document.body.dataset.ready = 'true';
      return;
    }
    this.idle = setTimeout(() => {
      this.idle = null;
      if (this.frame) return;
      this.timed('orpo-idle', () => this.drawChart(next.value));
      this.catchUp();
    }, 0);
  }

  private drawChart(chart: MetricChart): void {
    this.dirtyCharts.delete(chart);
    const entry = this.charts.find((c) => c.chart === chart);
    if (!entry) return;
    const spec = entry.spec.id === 'loss' ? lossSpec(this.visibleRuns().map((r) => r.info.method)) : entry.spec;
    chart.setTitle(spec.title);
    const { defs, series } = chartSeries(spec, this.visibleRuns(), {
      multi: this.runs.length > 1,
      smoothing: this.state.smoothing,
      xAxis: this.state.xAxis,
      roleColor: (role) => roleColor(this.theme, role),
      neutral: this.theme.fg,
    });
    chart.el.hidden = series.length === 0;
    if (series.length === 0) return;
    const t0 = performance.now();
    const data = align(series, this.state.zoom, 2 * chart.pixelWidth);
    const t1 = performance.now();
    chart.update(defs, data, this.state.xAxis, this.state.zoom);
    this.measure('orpo-align', t0, t1);
    this.measure('orpo-draw', t1);
  }

  private renderRest(): void {
    const d = new Set(this.dirty);
    this.dirty.clear();
    const runs = this.visibleRuns();
    if (d.has('toolbar')) {
      this.toolbar.render(this.runs.map((r) => ({ id: r.info.id, label: r.label, color: r.color })), this.state);
      this.root.classList.toggle('no-runs', this.runs.length === 0);
      renderGone(this.gone, this.runs.filter((r) => r.gone).map((r) => r.info.dir));
      this.root.classList.toggle('all-gone', this.runs.length > 0 && this.runs.every((r) => r.gone));
    }
    if (d.has('dist')) this.dist.render(runs.map((r) => ({ id: r.info.id, label: r.label, distributions: r.distributions })), this.state.distRun, this.state.distIndex);
    if (d.has('compare')) {
      const withDist = runs.filter((r) => r.distributions.length > 0);
      this.sections.compare.el.hidden = withDist.length < 2;
      this.compare.render(withDist.map((r) => ({ id: r.info.id, label: r.label, color: r.color, last: r.distributions[r.distributions.length - 1] as DistributionsRow })));
    }
    if (d.has('samples')) {
      const withSamples = runs.filter((r) => r.samples.length > 0);
      this.sections.samples.el.hidden = withSamples.length === 0;
      renderSamples(this.sections.samples.body, withSamples.map((r) => ({ label: r.label, samples: r.samples })));
    }
  }
}
