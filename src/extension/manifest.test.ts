// The extension manifest follows VS Code's conventions (https://code.visualstudio.com/api/ux-guidelines/command-palette,
// .../references/extension-manifest): Title Case command titles under one category that they do not
// repeat, the developer command hidden from the palette, a described backend enum with no blank
// entry, no activation events VS Code infers, files the manifest names exist, and the `$orpo-lab`
// problem matcher reads what `orpo-lab validate` prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { BACKENDS } from '../common/schema';

const ROOT = path.resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  activationEvents: string[];
  capabilities: { virtualWorkspaces: { supported: boolean; description: string } };
  repository?: unknown; bugs?: unknown; homepage?: unknown; keywords: string[];
  contributes: {
    commands: { command: string; title: string; category: string }[];
    menus: { commandPalette: { command: string; when: string }[] };
    languages: { id: string; icon: { light: string; dark: string } }[];
    configuration: { title: string; properties: Record<string, { enum?: string[]; enumDescriptions?: string[]; default?: unknown }> };
    configurationDefaults: Record<string, Record<string, unknown>>;
    taskDefinitions: { type: string }[];
    problemMatchers: { name: string; pattern: { regexp: string; file: number; line: number; column: number; severity: number; message: number } }[];
  };
};
const c = pkg.contributes;

void test('commands: Title Case under the "ORPO Lab" category, never repeating it; the developer command is hidden', () => {
  const minor = new Set(['a', 'an', 'the', 'of', 'to', 'in', 'on', 'for', 'and', 'or']);
  for (const cmd of c.commands) {
    const words = cmd.title.split(' ');
    assert.ok(words.every((w, i) => (i > 0 && minor.has(w)) || /^[A-Z]/.test(w)), `${cmd.command}: "${cmd.title}" is not Title Case`);
    if (cmd.category === 'Developer') {
      assert.ok(c.menus.commandPalette.some((m) => m.command === cmd.command && m.when === 'false'), `${cmd.command} is hidden from the palette`);
      continue;
    }
    assert.equal(cmd.category, 'ORPO Lab', cmd.command);
    assert.doesNotMatch(cmd.title, /ORPO/, `${cmd.command}: "${cmd.title}" repeats the category`);
  }
  assert.ok(c.commands.some((x) => x.command === 'orpoLab.showActivationTime' && x.category === 'Developer'));
});

void test('settings: titled "ORPO Lab"; the backend enum has no blank entry and describes each value', () => {
  assert.equal(c.configuration.title, 'ORPO Lab');
  const b = c.configuration.properties['orpoLab.backend'];
  assert.ok(b?.enum && !b.enum.includes(''), 'no blank entry');
  assert.equal(b.default, 'config');
  assert.deepEqual(b.enum, ['config', ...BACKENDS], 'every backend the engine knows, and only those');
  assert.equal(b.enumDescriptions?.length, b.enum.length);
  assert.ok(b.enumDescriptions.every((d) => d.length > 10));
  assert.deepEqual(c.configurationDefaults['[orpo-yaml]']?.['editor.tabSize'], 2);
  assert.equal(c.configurationDefaults['[orpo-yaml]']?.['editor.insertSpaces'], true);
});

void test('manifest: no inferred activation events; virtual workspaces refused with a reason; icons exist; keywords; no invented repository or bugs URL', () => {
  const ids = new Set([...c.commands.map((x) => `onCommand:${x.command}`), 'onView:orpoLab.runs', 'onView:orpoLab.dashboard', 'onLanguage:orpo-yaml']);
  assert.deepEqual(pkg.activationEvents.filter((e) => ids.has(e)), []);
  assert.equal(pkg.capabilities.virtualWorkspaces.supported, false);
  assert.ok(pkg.capabilities.virtualWorkspaces.description.length > 20);
  const lang = c.languages.find((l) => l.id === 'orpo-yaml');
  for (const f of [lang?.icon.light, lang?.icon.dark]) assert.ok(f && existsSync(path.join(ROOT, f)), `language icon ${f}`);
  // The project has no public repository or issue tracker yet (no git remote; none named anywhere), so
  // the manifest names none rather than a made-up one; the package script allows that
  // (--allow-missing-repository). When one exists, add repository, bugs and homepage and change this.
  assert.deepEqual([pkg.repository, pkg.bugs, pkg.homepage], [undefined, undefined, undefined], 'only real URLs belong in repository/bugs/homepage');
  assert.match(readFileSync(path.join(ROOT, 'scripts/package.mjs'), 'utf8'), /--allow-missing-repository/);
  assert.ok(pkg.keywords.includes('ORPO'));
});

void test('the $orpo-lab problem matcher reads every line `orpo-lab validate` prints', () => {
  assert.ok(c.taskDefinitions.some((t) => t.type === 'orpo-lab'));
  const m = c.problemMatchers.find((x) => x.name === 'orpo-lab');
  assert.ok(m);
  const re = new RegExp(m.pattern.regexp);
  const file = 'test/fixtures/configs/invalid.orpo.yaml';
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/engine/cli.ts', 'validate', file], { cwd: ROOT, encoding: 'utf8' });
  const lines = r.stdout.trimEnd().split('\n');
  assert.ok(lines.length >= 3, r.stdout + r.stderr);
  const got = lines.map((l) => re.exec(l)).map((x) => x && [x[m.pattern.file], x[m.pattern.line], x[m.pattern.column], x[m.pattern.severity]]);
  assert.deepEqual(got[0], [file, '3', '9', 'error']);
  assert.ok(got.every((g) => g !== null), lines.join('\n'));
  assert.ok(lines.every((l) => (re.exec(l)?.[m.pattern.message] ?? '').length > 5));
});

void test('the walkthrough: five steps whose media exist; the example it opens ships in the .vsix', () => {
  const w = (pkg.contributes as unknown as { walkthroughs: { steps: { id: string; media: { markdown: string }; completionEvents: string[] }[] }[] }).walkthroughs[0];
  assert.deepEqual(w?.steps.map((s) => s.id), ['open', 'validate', 'start', 'dashboard', 'compare']);
  for (const s of w?.steps ?? []) assert.ok(existsSync(path.join(ROOT, s.media.markdown)), s.media.markdown);
  const ignore = readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8').split('\n');
  // src/extension/example.ts copies these from the installed extension.
  const example = readFileSync(path.join(ROOT, 'src/extension/example.ts'), 'utf8');
  const listed = [...(/EXAMPLE_FILES = \[([^\]]+)\]/.exec(example)?.[1] ?? '').matchAll(/'([^']+)'/g)].map((m) => m[1] as string);
  assert.equal(listed.length, 5);
  for (const f of listed) {
    assert.ok(existsSync(path.join(ROOT, 'examples', f)), f);
    assert.ok(ignore.includes(`!examples/${f}`), `.vscodeignore keeps examples/${f}`);
  }
});

void test('the package README is the user-facing one, and its images and files are in the package', () => {
  assert.match(readFileSync(path.join(ROOT, 'scripts/package.mjs'), 'utf8'), /'--readme-path', 'README\.marketplace\.md'/);
  const ignore = readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8').split('\n');
  assert.ok(!ignore.includes('!README.md'), 'the developer README stays out (vsce adds the readme; two would clash)');
  const readme = readFileSync(path.join(ROOT, 'README.marketplace.md'), 'utf8');
  const links = [...readme.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1] as string);
  assert.ok(links.length >= 2);
  for (const l of links) {
    if (/^https:\/\//.test(l)) continue;
    assert.ok(existsSync(path.join(ROOT, l)), `${l} exists`);
    assert.ok(l.startsWith('media/') && ignore.includes('!media/**'), `${l} is packaged`);
  }
  assert.match(readme, /no telemetry/i);
});
