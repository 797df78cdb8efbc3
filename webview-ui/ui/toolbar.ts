// The dashboard's top controls: the run legend (each run's name, method and colour, with a checkbox to
// show or hide it), TensorBoard's smoothing slider, the x axis (step or wall time), zoom reset and CSV
// export. Native form controls, so all of it works from the keyboard.
import type { ViewState, XAxis } from '../model/state';

export interface ToolbarHandlers {
  smoothing(w: number): void;
  xAxis(x: XAxis): void;
  resetZoom(): void;
  exportCsv(): void;
  toggleRun(id: string, shown: boolean): void;
}

export interface LegendRun {
  id: string;
  label: string;
  color: string;
}

export class Toolbar {
  readonly el: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly smooth: HTMLInputElement;
  private readonly smoothOut: HTMLOutputElement;
  private readonly axis: HTMLSelectElement;
  private readonly reset: HTMLButtonElement;

  constructor(h: ToolbarHandlers) {
    this.el = document.createElement('div');
    this.el.className = 'toolbar top';
    this.legend = document.createElement('div');
    this.legend.className = 'legend';
    this.legend.setAttribute('role', 'group');
    this.legend.setAttribute('aria-label', 'Runs');

    const sl = document.createElement('label');
    sl.textContent = 'Smoothing ';
    this.smooth = document.createElement('input');
    this.smooth.type = 'range';
    this.smooth.min = '0';
    this.smooth.max = '0.99';
    this.smooth.step = '0.01';
    this.smooth.id = 'smoothing';
    this.smoothOut = document.createElement('output');
    this.smooth.addEventListener('input', () => h.smoothing(Number(this.smooth.value)));
    sl.append(this.smooth, this.smoothOut);

    const al = document.createElement('label');
    al.textContent = 'X axis ';
    this.axis = document.createElement('select');
    this.axis.id = 'x-axis';
    this.axis.append(new Option('Step', 'step'), new Option('Wall time', 'time'));
    this.axis.addEventListener('change', () => h.xAxis(this.axis.value === 'time' ? 'time' : 'step'));
    al.append(this.axis);

    this.reset = document.createElement('button');
    this.reset.textContent = 'Reset zoom';
    this.reset.addEventListener('click', () => h.resetZoom());
    const csv = document.createElement('button');
    csv.textContent = 'Export CSV';
    csv.id = 'export-csv';
    csv.addEventListener('click', () => h.exportCsv());
    this.legend.addEventListener('change', (e) => {
      const box = e.target as HTMLInputElement;
      if (box.dataset.run) h.toggleRun(box.dataset.run, box.checked);
    });
    this.el.append(this.legend, sl, al, this.reset, csv);
  }

  render(runs: readonly LegendRun[], s: ViewState): void {
    this.smooth.value = String(s.smoothing);
    this.smoothOut.textContent = s.smoothing.toFixed(2);
    this.axis.value = s.xAxis;
    this.reset.disabled = s.zoom === null;
    const items = runs.map((r) => {
      const l = document.createElement('label');
      l.className = 'run';
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = !s.hidden.includes(r.id);
      box.dataset.run = r.id;
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = r.color;
      l.append(box, sw, document.createTextNode(r.label));
      return l;
    });
    this.legend.replaceChildren(...items);
  }
}
