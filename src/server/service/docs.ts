// Markdown documentation of a config key, derived from configSpec (doc, default, valid range, notes and
// reference): shared by hover and completion so both say the same thing.
import { describeExpected, type FieldSpec } from '../../common/schema';

export function kindName(spec: FieldSpec): string {
  switch (spec.kind) {
    case 'number': return spec.integer ? 'integer' : 'number';
    case 'string': return spec.enum ? 'enum' : spec.path ? 'path' : 'string';
    case 'boolean': return 'boolean';
    case 'object': return 'mapping';
    case 'list': return `list of ${kindName(spec.items)}`;
    case 'union': return spec.variants.map(kindName).join(' | ');
  }
}

export function defaultText(spec: FieldSpec): string | undefined {
  return 'default' in spec && spec.default !== undefined ? String(spec.default) : undefined;
}

export function fieldMarkdown(path: readonly string[], spec: FieldSpec): string {
  const lines = [`**${path.join('.')}** · ${kindName(spec)}${spec.required ? ' · required' : ''}`, '', spec.doc, ''];
  const dflt = defaultText(spec);
  if (dflt !== undefined) lines.push(`- Default: \`${dflt}\``);
  if (spec.kind !== 'object') lines.push(`- Valid: ${describeExpected(spec)}`);
  if (spec.kind === 'number') for (const n of spec.notes ?? []) lines.push(`- ${n}`);
  if (spec.kind === 'object') lines.push(`- Keys: ${Object.keys(spec.fields).map((k) => `\`${k}\``).join(', ')}`);
  if (spec.ref) lines.push(`- Reference: ${spec.ref}`);
  return lines.join('\n').trimEnd();
}
