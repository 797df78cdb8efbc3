// Where the dashboard runs: inside a VS Code webview (acquireVsCodeApi: postMessage to the extension,
// getState/setState) or as the standalone `orpo-lab report` page (data embedded as a JSON script
// element, state in localStorage, files saved through a download link). Both deliver host messages
// (src/common/webviewProtocol.ts) to one handler, which validates them.
import type { ViewMessage } from '../src/common/webviewProtocol';

export interface Host {
  readonly kind: 'vscode' | 'standalone';
  post(msg: ViewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
  /** Calls `handler` with every message received (unvalidated). */
  listen(handler: (data: unknown) => void): void;
}

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare const acquireVsCodeApi: (() => VsCodeApi) | undefined;

function vscodeHost(api: VsCodeApi): Host {
  return {
    kind: 'vscode',
    post: (m) => api.postMessage(m),
    getState: () => api.getState(),
    setState: (s) => api.setState(s),
    listen: (h) => window.addEventListener('message', (e: MessageEvent<unknown>) => h(e.data)),
  };
}

function download(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

function standaloneHost(): Host {
  const key = `orpo-lab-dashboard:${location.pathname}`;
  return {
    kind: 'standalone',
    post: (m) => {
      switch (m.type) {
        case 'ready':
          return;
        case 'save': {
          const bytes = m.kind === 'png' ? Uint8Array.from(atob(m.data), (c) => c.charCodeAt(0)) : m.data;
          download(m.filename, new Blob([bytes], { type: m.kind === 'png' ? 'image/png' : 'text/csv' }));
          return;
        }
        case 'error':
          console.warn(m.message);
          return;
        default: {
          const never: never = m;
          throw new Error(`unhandled ${JSON.stringify(never)}`);
        }
      }
    },
    getState: () => {
      try {
        const s = localStorage.getItem(key);
        return s ? (JSON.parse(s) as unknown) : undefined;
      } catch {
        return undefined;
      }
    },
    setState: (s) => {
      try {
        localStorage.setItem(key, JSON.stringify(s));
      } catch {
        // Storage can be unavailable (private mode, file:// policies): state then lasts the page's life.
      }
    },
    listen: (h) => {
      const el = document.getElementById('orpo-data');
      if (el?.textContent) queueMicrotask(() => h(JSON.parse(el.textContent as string) as unknown));
      // Live rows can also be posted into the page (same protocol), e.g. by the benchmark.
      window.addEventListener('message', (e: MessageEvent<unknown>) => {
        if (e.source === window) h(e.data);
      });
    },
  };
}

export function detectHost(): Host {
  return typeof acquireVsCodeApi === 'function' ? vscodeHost(acquireVsCodeApi()) : standaloneHost();
}
