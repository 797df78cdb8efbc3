// Entry of the dashboard bundle (dist/webview/main.js, an iife built by scripts/build.mjs; its CSS goes
// to dist/webview/main.css). Runs in a VS Code webview or in the standalone `orpo-lab report` page.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { Dashboard } from './app';
import { detectHost } from './host';

function start(): void {
  const root = document.getElementById('app') ?? document.body.appendChild(document.createElement('main'));
  const welcome = document.createElement('p');
  welcome.className = 'welcome';
  welcome.textContent = 'No run shown yet. Start a training run, or run "ORPO Lab: Open ORPO dashboard" and pick a run directory.';
  root.append(welcome);
  new Dashboard(root, detectHost());
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
