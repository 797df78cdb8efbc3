// Strict argv parsing: unknown and misspelt flags are usage errors with a hint, --help anywhere,
// positional counts, missing values and number flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flagChoice, flagInt, flagNumber, helpText, HelpRequested, parseCommand, UsageError, type CommandSpec } from './args';

const spec: CommandSpec = {
  name: 'demo',
  positionals: 'FILE',
  minPositionals: 1,
  maxPositionals: 1,
  summary: 'A demo command.',
  options: {
    'max-steps': { type: 'string', arg: 'N', help: 'steps' },
    out: { type: 'string', arg: 'DIR', help: 'where', alike: ['output_dir'] },
    json: { type: 'boolean', help: 'json' },
  },
  unknownHint: (name) => (name === 'lambda' ? 'use lambda=VALUE' : undefined),
};

const usageError = (argv: string[], re: RegExp) => assert.throws(() => parseCommand(spec, argv), (e: unknown) => e instanceof UsageError && re.test(e.message));

test('options and positionals parse; --flag=value works', () => {
  const a = parseCommand(spec, ['f.yaml', '--max-steps', '5', '--out=o', '--json']);
  assert.deepEqual(a.positionals, ['f.yaml']);
  assert.equal(a.values['max-steps'], '5');
  assert.equal(a.values.out, 'o');
  assert.equal(a.values.json, true);
  assert.equal(flagInt(a, 'max-steps'), 5);
});

test('a misspelt flag is refused with the closest option', () => {
  usageError(['f', '--max_steps', '2'], /unknown option --max_steps \(did you mean --max-steps\?\)/);
  usageError(['f', '--max-step', '2'], /did you mean --max-steps\?/);
  usageError(['f', '--output_dir', 'x'], /unknown option --output_dir \(did you mean --out\?\)/);
  usageError(['f', '--lambda', '2'], /unknown option --lambda \(use lambda=VALUE\)/);
  usageError(['f', '--zzzzzzzz'], /^unknown option --zzzzzzzz\nusage: orpo-lab demo FILE \[options\]$/);
  usageError(['f', '-x'], /unknown option -x/);
});

test('missing values, wrong positional counts and bad numbers are usage errors', () => {
  usageError(['f', '--out'], /--out/);
  usageError(['f', '--out', '--json'], /--out/);
  usageError(['f', '--json=yes'], /--json/);
  usageError([], /missing arguments/);
  usageError(['a', 'b'], /unexpected argument "b"/);
  for (const v of ['0', '-1', '1.5', 'x', ' ']) {
    assert.throws(() => flagInt(parseCommand(spec, ['f', '--max-steps', v]), 'max-steps'), UsageError, v);
  }
  assert.throws(() => flagNumber(parseCommand(spec, ['f', '--max-steps', 'NaN']), 'max-steps'), UsageError);
  assert.throws(() => flagChoice(parseCommand(spec, ['f', '--out', 'z']), 'out', ['a', 'b']), /one of a, b, got "z"/);
});

test('--help and -h print the help, which lists every option', () => {
  for (const argv of [['--help'], ['f', '-h'], ['-h', 'a', 'b']]) {
    assert.throws(() => parseCommand(spec, argv), (e: unknown) => e instanceof HelpRequested && e.text === helpText(spec));
  }
  const text = helpText(spec);
  assert.match(text, /^usage: orpo-lab demo FILE \[options\]\n/);
  for (const o of ['--max-steps N', '--out DIR', '--json', '-h, --help']) assert.ok(text.includes(o), o);
});
