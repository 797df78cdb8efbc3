// The dashboard's building blocks: a titled section, a card holding a canvas drawing (a header with
// the title and a PNG export button), and the notice for runs whose folder no longer exists.
import { goneText } from '../../src/common/webviewProtocol';
import type { Theme } from '../theme';
import { composePng } from './png';

/** A titled dashboard section (Metrics, Distributions...) and its body. */
export function section(id: string, title: string): { el: HTMLElement; body: HTMLElement } {
  const el = document.createElement('section');
  el.id = id;
  el.className = 'section';
  const h = document.createElement('h2');
  h.textContent = title;
  const body = document.createElement('div');
  el.append(h, body);
  return { el, body };
}

/** One paragraph per run whose folder no longer exists, in words (empty when none). */
export function renderGone(el: HTMLElement, dirs: readonly string[]): void {
  el.replaceChildren(...dirs.map((d) => {
    const p = document.createElement('p');
    p.textContent = goneText(d);
    return p;
  }));
}

export interface CanvasCard {
  el: HTMLElement;
  canvas: HTMLCanvasElement;
  title: HTMLHeadingElement;
}

/** A card header: the title and a PNG export button (named `${what} as PNG` for screen readers). */
export function cardHeader(title: string, what: string, onPng: () => void): { head: HTMLElement; h: HTMLHeadingElement; btn: HTMLButtonElement } {
  const head = document.createElement('header');
  const h = document.createElement('h3');
  h.textContent = title;
  const btn = document.createElement('button');
  btn.className = 'icon';
  btn.textContent = 'PNG';
  btn.setAttribute('aria-label', `Save ${what} as PNG`);
  btn.title = `Save ${title} as PNG`;
  btn.addEventListener('click', onPng);
  return { head, h, btn };
}

export function canvasCard(id: string, title: string, save: (filename: string, png: string) => void, theme: () => Theme): CanvasCard {
  const el = document.createElement('section');
  el.className = 'card';
  el.dataset.card = id;
  const { head, h, btn } = cardHeader(title, title, () => save(`${id}.png`, composePng(canvas, h.textContent ?? title, [], theme())));
  const canvas = document.createElement('canvas');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', title);
  head.append(h, btn);
  const box = document.createElement('div');
  box.className = 'plot';
  box.append(canvas);
  el.append(head, box);
  return { el, canvas, title: h };
}
