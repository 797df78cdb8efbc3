// TRL's vocabulary in a config (issue 14): aliases of our keys (an info hint to prefer ours, with a quick
// fix that renames or moves the key), TRL-only keys (a warning naming what ORPO Lab does instead), `beta`
// with method orpo / orpo-pr (an error: in TRL, ORPOConfig.beta is ORPO's λ) and warmup_steps with
// warmup_ratio. `withAliases` hands the later checks the canonical value, with ranges mapped back to
// the keys as written. The alias table is src/common/aliases.ts; TRL's PEFT names are peftNames.ts's.
import { ALIASES, TRL_ONLY, aliasTarget, canonicalize } from '../../common/aliases';
import { specAt } from '../../common/schema';
import { keyRange, valueRange, type ParsedConfig } from './document';
import { pairLines, renameFix, withFixes } from './keyEdits';
import { peftDiagnostics } from './peftNames';
import { closest } from './suggest';
import type { ConfigDiagnostic, Fix } from './types';
import { asObj } from '../../common/json';

const dotted = (path: readonly string[]) => path.join('.');

/** The config with aliases applied (ranges mapped back), and the diagnostics about TRL names. */
export function withAliases(p: ParsedConfig): { parsed: ParsedConfig; diagnostics: ConfigDiagnostic[] } {
  const c = canonicalize(p.value, (path) => specAt(path) !== undefined);
  const out: ConfigDiagnostic[] = [];
  const moved = new Map<string, readonly string[]>();
  for (const a of c.aliases) {
    const range = keyRange(p, a.from);
    const name = a.from[a.from.length - 1] as string;
    if (a.conflict) {
      const del = pairLines(p, a.from);
      out.push(withFixes({ range, severity: 'error', code: 'alias-conflict', message: `"${name}" is TRL's name for ${dotted(a.to)}, which is also set: remove one of them` }, [del ? { title: `Remove "${dotted(a.from)}"`, edits: [{ range: del, newText: '' }] } : undefined]));
    } else {
      moved.set(dotted(a.to), a.from);
      out.push(withFixes({ range, severity: 'info', code: 'alias', message: `"${name}" is TRL's name for ${dotted(a.to)}; it works, but prefer ORPO Lab's name` }, [renameFix(p, a.from, a.to)]));
    }
  }
  for (const t of c.trlOnly) {
    const name = t.path[t.path.length - 1] as string;
    out.push({ range: keyRange(p, t.path), severity: 'warning', code: 'trl-only', message: `"${name}" is a TRL/transformers setting with no equivalent in ORPO Lab: ${TRL_ONLY[name] ?? ''}` });
  }
  out.push(...peftDiagnostics(p, c.peft, c.value, moved));
  const parsed: ParsedConfig = { ...p, value: c.value, moved };
  const root = asObj(c.value);
  const method = root.method ?? 'orpo';
  if ((method === 'orpo' || method === 'orpo-pr') && typeof root.beta === 'number') {
    const hasLambda = root.lambda !== undefined && root.lambda !== null;
    const del = pairLines(parsed, ['beta']);
    const fix: Fix | undefined = !hasLambda
      ? { title: `Move beta's value to "lambda"`, edits: [{ range: keyRange(parsed, ['beta']), newText: 'lambda' }] }
      : del ? { title: `Move beta's value to "lambda"`, edits: [{ range: valueRange(parsed, ['lambda']), newText: String(root.beta) }, { range: del, newText: '' }] } : undefined;
    out.push(withFixes({ range: keyRange(parsed, ['beta']), severity: 'error', code: 'beta-orpo', message: `beta is not used by method ${String(method)}: in TRL, ORPOConfig.beta is ORPO's λ (the weight of the odds-ratio term); ORPO Lab calls it lambda and keeps beta for DPO's temperature. Write lambda: ${String(root.beta)}` }, [fix]));
  }
  const train = asObj(root.train);
  if (train.warmup_steps !== undefined && train.warmup_ratio !== undefined) {
    out.push({ range: valueRange(parsed, ['train', 'warmup_ratio']), severity: 'error', code: 'cross-field', message: 'give train.warmup_steps or train.warmup_ratio, not both' });
  }
  return { parsed, diagnostics: out };
}

/** "Did you mean" for an unknown key in the mapping at `parent`: TRL's names first, then ours. */
export function suggestKey(parent: readonly string[], key: string, fields: readonly string[]): { name: string; path: readonly string[] } | undefined {
  const aliasNear = closest(key, Object.keys(ALIASES).filter((a) => aliasTarget(parent, a)));
  const to = aliasNear ? ALIASES[aliasNear] : undefined;
  if (to) return { name: dotted(to.slice(0, -1)) === dotted(parent) ? (to[to.length - 1] as string) : dotted(to), path: to };
  const near = closest(key, fields);
  return near ? { name: near, path: [...parent, near] } : undefined;
}
