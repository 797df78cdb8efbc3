// Entry of the sweep view bundle (dist/webview/sweep.js, built by scripts/build.mjs with its CSS in
// dist/webview/sweep.css): in a VS Code webview (src/extension/sweep.ts posts the payload) or in the
// standalone `orpo-lab report SWEEP_DIR` page (payload embedded). The payload is validated first.
import '../style.css';
import './sweep.css';
import { detectHost } from '../host';
import { parseSweepPayload } from './model';
import { SweepView } from './view';

function start(): void {
  const root = document.getElementById('app') ?? document.body.appendChild(document.createElement('main'));
  const host = detectHost();
  host.listen((data) => {
    const p = parseSweepPayload(data);
    if (!p.ok) {
      host.post({ type: 'error', message: `sweep view: ${p.error}` });
      return;
    }
    (window as unknown as { orpoSweep?: SweepView }).orpoSweep = new SweepView(root, p.value);
    document.body.dataset.ready = '1';
  });
  host.post({ type: 'ready' });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
