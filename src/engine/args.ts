// Strict argv parsing for the orpo-lab CLI on node:util's parseArgs (strict mode): every subcommand
// declares its options and positionals once (a `CommandSpec`), which gives both the parser and the
// `--help` text. Unknown or misspelt flags are usage errors with a did-you-mean hint (exit 2).
import { parseArgs as nodeParseArgs } from 'node:util';
import { closest } from '../server/service/suggest';

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** The value's placeholder in the help text, e.g. "N" or "DIR" (string options). */
  arg?: string;
  short?: string;
  help: string;
  /** Other spellings people try (e.g. output_dir for --out): only used for did-you-mean hints. */
  alike?: readonly string[];
}

export interface CommandSpec {
  name: string;
  /** The positional part of the usage line, e.g. "CONFIG [KEY=VALUE...]". */
  positionals: string;
  minPositionals: number;
  maxPositionals: number;
  summary: string;
  options: Record<string, OptionSpec>;
  /** Extra help paragraphs. */
  notes?: readonly string[];
  /** A hint for an unknown flag that no option name is close to. */
  unknownHint?: (flag: string) => string | undefined;
}

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

/** A mistake in the command line: exit 2 with the message. */
export class UsageError extends Error {}

/** `--help` was given: print `text` to stdout, exit 0. */
export class HelpRequested extends Error {
  constructor(readonly text: string) {
    super('help requested');
  }
}

export function usageLine(spec: CommandSpec): string {
  return `usage: orpo-lab ${spec.name}${spec.positionals ? ' ' + spec.positionals : ''}${Object.keys(spec.options).length ? ' [options]' : ''}`;
}

export function helpText(spec: CommandSpec): string {
  const rows = Object.entries(spec.options).map(([name, o]) => [`${o.short ? `-${o.short}, ` : '    '}--${name}${o.arg ? ` ${o.arg}` : ''}`, o.help] as const);
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return [usageLine(spec), '', spec.summary, '', 'Options:', ...rows.map(([l, h]) => `  ${l.padEnd(width)}${h}`), ...(spec.notes ?? []).flatMap((n) => ['', n])].join('\n') + '\n';
}

function hintFor(spec: CommandSpec, flag: string): string {
  const name = flag.replace(/^-+/, '').replace(/=.*$/, '');
  const words = new Map<string, string>();
  for (const [opt, o] of Object.entries(spec.options)) {
    words.set(opt, opt);
    for (const a of o.alike ?? []) words.set(a, opt);
  }
  words.set('help', 'help');
  const near = closest(name, words.keys());
  if (near !== undefined) return ` (did you mean --${words.get(near)}?)`;
  const other = spec.unknownHint?.(name);
  return other ? ` (${other})` : '';
}

/** Parses argv against the spec; throws UsageError (with a hint) or HelpRequested. */
export function parseCommand(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, o] of Object.entries(spec.options)) options[name] = o.short ? { type: o.type, short: o.short } : { type: o.type };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = nodeParseArgs({ args: [...argv], options, strict: true, allowPositionals: true }) as typeof parsed;
  } catch (e) {
    const code = (e as { code?: string }).code;
    const message = e instanceof Error ? e.message : String(e);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const flag = /'(-[^']*)'/.exec(message)?.[1] ?? '';
      throw new UsageError(`unknown option ${flag}${hintFor(spec, flag)}\n${usageLine(spec)}`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError(`${message.split('. ')[0]}\n${usageLine(spec)}`);
    throw e;
  }
  if (parsed.values.help === true) throw new HelpRequested(helpText(spec));
  const n = parsed.positionals.length;
  if (n < spec.minPositionals || n > spec.maxPositionals) {
    const what = n < spec.minPositionals ? 'missing arguments' : `unexpected argument "${parsed.positionals[spec.maxPositionals]}"`;
    throw new UsageError(`${what}\n${usageLine(spec)}`);
  }
  return parsed;
}

export function flagString(a: ParsedArgs, name: string): string | undefined {
  const v = a.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function flagBool(a: ParsedArgs, name: string): boolean {
  return a.values[name] === true;
}

export function flagInt(a: ParsedArgs, name: string): number | undefined {
  const v = flagString(a, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} expects a positive integer, got "${v}"`);
  return n;
}

export function flagNumber(a: ParsedArgs, name: string): number | undefined {
  const v = flagString(a, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} expects a number, got "${v}"`);
  return n;
}

/** `--name` must be one of `choices`. */
export function flagChoice<T extends string>(a: ParsedArgs, name: string, choices: readonly T[]): T | undefined {
  const v = flagString(a, name);
  if (v === undefined) return undefined;
  if (!(choices as readonly string[]).includes(v)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got "${v}"`);
  return v as T;
}
