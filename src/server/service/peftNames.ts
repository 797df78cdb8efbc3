// TRL's ModelConfig names for a LoRA adapter in a config (issues 13 and 14): the diagnostics and quick
// fixes for what src/common/peftAliases.ts did with them. `use_peft: true` and the lora_* keys beside
// it get one fix that rewrites them all as our `adapter:` section (TRL's defaults written out, so the
// rewritten config trains the same adapter); lora_* beside an `adapter:` section are moved into it;
// lora_* without an adapter are ignored, as TRL ignores them without use_peft; ModelConfig fields we
// have no equivalent for warn, or are errors where they would change what trains.
import { isMap } from 'yaml';
import { LORA_FIELDS, type PeftUses } from '../../common/peftAliases';
import { keyRange, rangeAt, type ParsedConfig } from './document';
import { pairLines, renameFix, withFixes } from './keyEdits';
import type { ConfigDiagnostic, Fix } from './types';
import { asObj, type Obj } from '../../common/json';


/** A YAML scalar or flow list for the rewritten section. */
function yamlText(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(yamlText).join(', ')}]`;
  if (typeof v === 'string') return /^[A-Za-z_][\w.-]*$/.test(v) ? v : JSON.stringify(v);
  return String(v);
}

const removeFix = (p: ParsedConfig, key: string): Fix | undefined => {
  const del = pairLines(p, [key]);
  return del ? { title: `Remove "${key}"`, edits: [{ range: del, newText: '' }] } : undefined;
};

/** use_peft and the lora_* keys it took, rewritten as `adapter:` at the end of the document. */
function rewriteFix(p: ParsedConfig, keys: readonly string[], adapter: Obj): Fix | undefined {
  if (!isMap(p.doc?.contents) || p.doc.contents.flow) return undefined;
  const dels = keys.map((k) => pairLines(p, [k]));
  if (dels.some((d) => !d)) return undefined;
  const fields = ['type', 'r', 'alpha', 'dropout', 'target_modules'].filter((f) => adapter[f] !== undefined);
  const text = `adapter:\n${fields.map((f) => `  ${f}: ${yamlText(adapter[f])}\n`).join('')}`;
  const end = rangeAt(p, p.text.length, p.text.length);
  const sep = p.text === '' || p.text.endsWith('\n') ? '' : '\n';
  return { title: 'Rewrite as an "adapter:" section', edits: [...dels.map((range) => ({ range: range ?? end, newText: '' })), { range: end, newText: sep + text }] };
}

/** Diagnostics for TRL's PEFT names; `moved` learns where adapter values were written. */
export function peftDiagnostics(p: ParsedConfig, uses: PeftUses, canonical: unknown, moved: Map<string, readonly string[]>): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  const u = uses.usePeft;
  const creates = u?.effect === 'creates';
  const adapter = asObj(asObj(canonical).adapter);
  const rewrite = creates ? rewriteFix(p, ['use_peft', ...uses.lora.filter((l) => l.status === 'moved').map((l) => l.key)], adapter) : undefined;
  if (u) {
    const range = keyRange(p, ['use_peft']);
    switch (u.effect) {
      case 'creates': {
        moved.set('adapter', ['use_peft']);
        const d = u.defaults.length ? `; as in TRL, what is not given takes ModelConfig's defaults (${u.defaults.map((f) => `${f} ${String(adapter[f])}`).join(', ')}), not the adapter: section's PEFT defaults (r 8, alpha 8, dropout 0)` : '';
        out.push(withFixes({ range, severity: 'info', code: 'alias', message: `"use_peft: true" is TRL's switch for a LoRA adapter; ORPO Lab writes it as an adapter: section (type lora)${d}` }, [rewrite]));
        break;
      }
      case 'redundant':
        out.push(withFixes({ range, severity: 'info', code: 'alias', message: '"use_peft: true" is TRL\'s switch for a LoRA adapter, which the adapter: section already gives; remove it' }, [removeFix(p, 'use_peft')]));
        break;
      case 'conflict':
        out.push(withFixes({ range, severity: 'error', code: 'alias-conflict', message: '"use_peft: false" contradicts the adapter: section, which trains a LoRA adapter: remove one of them' }, [removeFix(p, 'use_peft')]));
        break;
      case 'off':
        out.push(withFixes({ range, severity: 'info', code: 'alias', message: '"use_peft: false" is ORPO Lab\'s default: without an adapter: section every weight trains; remove it' }, [removeFix(p, 'use_peft')]));
        break;
      case 'invalid':
        out.push({ range, severity: 'error', code: 'type', message: `use_peft must be true or false (TRL ModelConfig.use_peft), got ${JSON.stringify(u.value) ?? String(u.value)}` });
        break;
      default: {
        const never: never = u;
        throw new Error(`unhandled use_peft ${String(never)}`);
      }
    }
  }
  for (const l of uses.lora) {
    const range = keyRange(p, [l.key]);
    const ours = l.to.join('.');
    if (l.status === 'moved') {
      moved.set(ours, [l.key]);
      out.push(withFixes({ range, severity: 'info', code: 'alias', message: `"${l.key}" is TRL's name for ${ours}; it works, but prefer ORPO Lab's adapter: section` }, [creates ? rewrite : renameFix(p, [l.key], l.to)]));
    } else if (l.status === 'conflict') {
      out.push(withFixes({ range, severity: 'error', code: 'alias-conflict', message: `"${l.key}" is TRL's name for ${ours}, which is also set: remove one of them` }, [removeFix(p, l.key)]));
    } else {
      const field = LORA_FIELDS[l.key] ?? l.key;
      out.push(withFixes({ range, severity: 'warning', code: 'peft-ignored', message: `"${l.key}" has no effect without use_peft: true, as in TRL: every weight trains. To train a LoRA adapter, add use_peft: true, or an adapter: section with ${field}` }, [removeFix(p, l.key)]));
    }
  }
  for (const m of uses.modelOnly) {
    out.push(withFixes({ range: keyRange(p, [m.key]), severity: m.severity, code: m.severity === 'error' ? 'peft-unsupported' : 'trl-only', message: m.message }, [removeFix(p, m.key)]));
  }
  return out;
}
