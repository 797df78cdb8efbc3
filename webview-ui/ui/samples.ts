// Generated samples at eval (DIR/samples.jsonl, the engine's SampleEvent rows): the latest few per
// run, as collapsible entries. Text goes in through textContent only: never parsed as HTML.
import type { SampleRow } from '../../src/common/webviewProtocol';

export interface SampleRun {
  label: string;
  samples: readonly SampleRow[];
}

const PER_RUN = 6;

export function renderSamples(el: HTMLElement, runs: readonly SampleRun[]): void {
  const items: HTMLElement[] = [];
  for (const r of runs) {
    for (const s of r.samples.slice(-PER_RUN).reverse()) {
      const d = document.createElement('details');
      const sum = document.createElement('summary');
      sum.textContent = `${r.label} · step ${s.step} · ${s.prompt.replace(/\s+/g, ' ').slice(0, 80)}`;
      const p = document.createElement('pre');
      p.className = 'prompt';
      p.textContent = s.prompt;
      const c = document.createElement('pre');
      c.className = 'completion';
      c.textContent = s.completion;
      d.append(sum, p, c);
      items.push(d);
    }
  }
  el.replaceChildren(...items);
}
