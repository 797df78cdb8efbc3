// No problem reported twice next to Red Hat's YAML extension (docs/lsp.md). It never sees `orpo-yaml`
// documents, and we contribute no schema to it. Only when a user maps *.orpo.yaml back to the `yaml`
// language does it validate their syntax too; then we leave YAML syntax problems to it and keep the
// rest (types, ranges, files: those only we report). No vscode import: tested in Node.

/** Problem codes of YAML syntax itself (src/server/service), which Red Hat also reports for `yaml`. */
export const YAML_SYNTAX_CODES: ReadonlySet<string> = new Set(['yaml-syntax', 'duplicate-key', 'yaml-tag']);

interface Coded {
  code?: string | number | { value: string | number };
}

export function dropDuplicateSyntax<D extends Coded>(languageId: string, redHatActive: boolean, diagnostics: readonly D[]): D[] {
  if (languageId !== 'yaml' || !redHatActive) return [...diagnostics];
  return diagnostics.filter((d) => !YAML_SYNTAX_CODES.has(typeof d.code === 'object' ? String(d.code.value) : String(d.code)));
}
