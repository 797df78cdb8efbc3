// The dashboard's HTML page, shared by the VS Code webview (script and style loaded from the extension,
// src/extension/dashboard) and the standalone `orpo-lab report` file (script, style and data inlined).
// A strict Content Security Policy: nothing loads unless it carries the page's nonce or comes from the
// allowed source, and no remote content (VS Code webview guide, "Content security policy").
// Pure string building: no DOM, no vscode.

export interface PageParts {
  title: string;
  nonce: string;
  /** Extra CSP source allowed for scripts, styles, images and fonts (the webview's cspSource). */
  cspSource?: string;
  /** Either URLs (webview) or inline text (report). */
  script: { src: string } | { inline: string };
  style: { href: string } | { inline: string };
  /** Data embedded as a JSON script element (report only): a host message of type "runs". */
  data?: unknown;
  /** Where the page is shown: the side bar takes the side bar's background (style.css), else the editor's. */
  place?: 'editor' | 'sidebar';
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A nonce of 32 base64 characters from a cryptographic source. */
export function makeNonce(randomBytes: (n: number) => Uint8Array): string {
  return btoa(String.fromCharCode(...randomBytes(24))).replace(/[+/=]/g, (c) => (c === '+' ? '-' : c === '/' ? '_' : ''));
}

export function contentSecurityPolicy(nonce: string, cspSource?: string): string {
  const src = cspSource ? ` ${cspSource}` : '';
  return [
    `default-src 'none'`,
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'${src}`,
    `img-src data: blob:${src}`,
    `font-src${src || " 'none'"}`,
    `base-uri 'none'`,
    `form-action 'none'`,
  ].join('; ');
}

/** JSON safe inside a <script> element: no `<` can close it. */
export function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function dashboardPage(p: PageParts): string {
  const n = escapeHtml(p.nonce);
  const style = 'href' in p.style
    ? `<link rel="stylesheet" nonce="${n}" href="${escapeHtml(p.style.href)}">`
    : `<style nonce="${n}">${p.style.inline.replace(/<\/style/gi, '<\\/style')}</style>`;
  const script = 'src' in p.script
    ? `<script nonce="${n}" src="${escapeHtml(p.script.src)}"></script>`
    : `<script nonce="${n}">${p.script.inline.replace(/<\/script/gi, '<\\/script')}</script>`;
  const data = p.data === undefined ? '' : `<script type="application/json" id="orpo-data">${scriptJson(p.data)}</script>\n`;
  return `<!DOCTYPE html>
<html lang="en" data-place="${p.place ?? 'editor'}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(p.nonce, p.cspSource))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(p.title)}</title>
${style}
</head>
<body>
<main id="app"><h1>${escapeHtml(p.title)}</h1></main>
${data}${script}
</body>
</html>
`;
}
