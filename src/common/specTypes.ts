// The kinds of field a config spec is made of (schema.ts builds `configSpec` from them; sweep.ts its
// `sweep:` entry). A leaf module, so the spec's parts import no cycle.

/** Documentation shared by every field kind. */
export interface Doc {
  /** One or two sentences, Markdown. */
  doc: string;
  /** A paper or TRL reference, shown on hover. */
  ref?: string;
  /** Whether the key must be present. */
  required?: boolean;
  /** A value a quick fix inserts when the key is missing and has no default. */
  example?: string | number;
}

export interface NumberSpec extends Doc {
  kind: 'number';
  integer?: boolean;
  default?: number;
  /** Errors: value < min, value <= exclusiveMin, value > max. */
  min?: number;
  exclusiveMin?: number;
  max?: number;
  /** Warnings: value above warnAbove. */
  warnAbove?: number;
  /** Extra hover lines, e.g. values used in the paper. */
  notes?: string[];
}

export interface StringSpec extends Doc {
  kind: 'string';
  default?: string;
  enum?: readonly string[];
  /** Longest accepted value, in characters. */
  maxLength?: number;
  /** Paths are resolved relative to the config file; `except` lists literal values that are not paths. */
  path?: { type: 'file' | 'dir' | 'file-or-dir'; except?: readonly string[] };
}

export interface BooleanSpec extends Doc {
  kind: 'boolean';
  default?: boolean;
}

export interface ObjectSpec extends Doc {
  kind: 'object';
  fields: Readonly<Record<string, FieldSpec>>;
  /** Keys beyond `fields` are allowed and checked elsewhere (the paths of `sweep:`, sweep.ts). */
  open?: boolean;
}

/** A list of strings, e.g. `target_modules: [q_proj, v_proj]`. */
export interface ListSpec extends Doc {
  kind: 'list';
  items: StringSpec;
  /** Fewest entries accepted (1 unless told). */
  minItems?: number;
  /** Lists have no default: an unset list means the consumer's own default. */
  default?: undefined;
}

/** A value that may take one of several shapes, e.g. `eval: 0.05` or `eval: data/eval.jsonl`. */
export interface UnionSpec extends Doc {
  kind: 'union';
  variants: readonly FieldSpec[];
  default?: string | number;
}

export type FieldSpec = NumberSpec | StringSpec | BooleanSpec | ObjectSpec | UnionSpec | ListSpec;
