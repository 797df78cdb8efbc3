// Derives the JSON Schema (draft-07) of the experiment config from `configSpec`, the one source of truth
// (schema.ts). The language server validates with it through ajv; other tools may publish it. Only the
// structural rules live here (types, enums, ranges, required and unknown keys); warnings (`warnAbove`)
// and cross-field rules are the validation service's job (src/server/service/rules.ts).
// Reference: JSON Schema draft-07 validation vocabulary, https://json-schema.org/draft-07/json-schema-validation
import { configSpec, describeRange, type FieldSpec } from './schema';

export type JsonSchema = { [key: string]: unknown };

function docText(spec: FieldSpec): string {
  const lines = [spec.doc];
  if (spec.kind === 'number') lines.push(`Valid: ${describeRange(spec)}.`);
  if (spec.ref) lines.push(`Reference: ${spec.ref}.`);
  return lines.join('\n\n');
}

/** The JSON Schema of one field (and everything below it). */
export function toJsonSchema(spec: FieldSpec): JsonSchema {
  const common: JsonSchema = { description: docText(spec) };
  switch (spec.kind) {
    case 'number': {
      const s: JsonSchema = { ...common, type: spec.integer ? 'integer' : 'number' };
      if (spec.min !== undefined) s.minimum = spec.min;
      if (spec.exclusiveMin !== undefined) s.exclusiveMinimum = spec.exclusiveMin;
      if (spec.max !== undefined) s.maximum = spec.max;
      if (spec.default !== undefined) s.default = spec.default;
      return s;
    }
    case 'string': {
      const s: JsonSchema = { ...common, type: 'string' };
      if (spec.enum) s.enum = [...spec.enum];
      else s.minLength = 1;
      if (spec.maxLength !== undefined) s.maxLength = spec.maxLength;
      if (spec.default !== undefined) s.default = spec.default;
      return s;
    }
    case 'boolean':
      return spec.default === undefined ? { ...common, type: 'boolean' } : { ...common, type: 'boolean', default: spec.default };
    case 'object': {
      const properties: Record<string, JsonSchema> = {};
      const required: string[] = [];
      for (const [k, sub] of Object.entries(spec.fields)) {
        properties[k] = toJsonSchema(sub);
        if (sub.required) required.push(k);
      }
      const s: JsonSchema = { ...common, type: 'object', properties, additionalProperties: !!spec.open };
      if (required.length) s.required = required;
      return s;
    }
    case 'list':
      return { ...common, type: 'array', items: toJsonSchema(spec.items), minItems: spec.minItems ?? 1 };
    case 'union': {
      const s: JsonSchema = { ...common, anyOf: spec.variants.map(toJsonSchema) };
      if (spec.default !== undefined) s.default = spec.default;
      return s;
    }
  }
}

/** The whole config's JSON Schema. */
export function configJsonSchema(): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://orpo-lab.dev/schema/experiment.json',
    title: 'ORPO Lab experiment (*.orpo.yaml)',
    ...toJsonSchema(configSpec),
  };
}
