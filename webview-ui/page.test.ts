import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { contentSecurityPolicy, dashboardPage, makeNonce, scriptJson } from './page';

void test('the CSP allows only nonce scripts and styles and no remote content', () => {
  const csp = contentSecurityPolicy('abc');
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'nonce-abc'(;|$)/);
  assert.match(csp, /style-src 'nonce-abc'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:|\*/);
  assert.match(contentSecurityPolicy('abc', 'https://file+.vscode-resource.vscode-cdn.net'), /style-src 'nonce-abc' https:\/\/file\+\.vscode-resource/);
});

void test('nonces are 32 url-safe characters and differ', () => {
  const a = makeNonce((n) => randomBytes(n));
  assert.match(a, /^[A-Za-z0-9_-]{32}$/);
  assert.notEqual(a, makeNonce((n) => randomBytes(n)));
});

void test('embedded data and inline script cannot close their element', () => {
  const json = scriptJson({ s: '</script><script>alert(1)</script>' });
  assert.doesNotMatch(json, /</);
  assert.deepEqual(JSON.parse(json), { s: '</script><script>alert(1)</script>' });
  const html = dashboardPage({ title: 'a <b>', nonce: 'n0', script: { inline: 'var s="</script>";' }, style: { inline: 'a{}' }, data: { type: 'runs', runs: [] } });
  assert.equal(html.match(/<\/script>/g)?.length, 2);
  assert.match(html, /<title>a &#60;b&#62;<\/title>/);
  assert.match(html, /<script nonce="n0">var s="<\\\/script>";<\/script>/);
  assert.match(html, /<script type="application\/json" id="orpo-data">/);
});
