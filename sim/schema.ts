// A small schema language for request bodies, so every endpoint rejects what ONTAP rejects:
// unknown fields (UNEXPECTED_ARGUMENT), wrong types or enum values (INVALID_VALUE), and
// missing required fields (MISSING_FIELD), each naming the offending field as `target`.
import { ONTAP_ERROR } from '../lambdas/ontap/error-codes';
import { RequestError } from './http';

export type Schema =
  | { kind: 'string' }
  | { kind: 'integer'; min?: number }
  | { kind: 'boolean' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'array'; of: Schema }
  | { kind: 'object'; fields: Record<string, Field> };
export interface Field {
  schema: Schema;
  required: boolean;
}

export const str = (): Schema => ({ kind: 'string' });
export const int = (min?: number): Schema => ({ kind: 'integer', min });
export const bool = (): Schema => ({ kind: 'boolean' });
export const oneOf = (values: readonly string[]): Schema => ({ kind: 'enum', values });
export const list = (of: Schema): Schema => ({ kind: 'array', of });
export const obj = (fields: Record<string, Schema | Field>): Schema => ({
  kind: 'object',
  fields: Object.fromEntries(
    Object.entries(fields).map(([k, v]) => [k, 'schema' in v ? v : { schema: v, required: false }]),
  ),
});
export const required = (schema: Schema): Field => ({ schema, required: true });
/** A reference to another object by name and/or uuid, as ONTAP accepts them. */
export const ref = (): Schema => obj({ name: str(), uuid: str() });

/** Checks `value` against `schema`; throws the RequestError ONTAP would answer with. */
export function validate(value: unknown, schema: Schema, path = ''): void {
  const where = path || 'body';
  switch (schema.kind) {
    case 'string':
      if (typeof value !== 'string') throw typeError(where, 'a string');
      return;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError(where, 'an integer');
      if (schema.min !== undefined && value < schema.min) throw typeError(where, `at least ${schema.min}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') throw typeError(where, 'a boolean');
      return;
    case 'enum':
      if (typeof value !== 'string' || !schema.values.includes(value)) {
        throw new RequestError(400, ONTAP_ERROR.INVALID_VALUE,
          `"${String(value)}" is an invalid value for field "${where}" (<${schema.values.join('|')}>)`, where);
      }
      return;
    case 'array':
      if (!Array.isArray(value)) throw typeError(where, 'an array');
      value.forEach((item, i) => validate(item, schema.of, `${where}[${i}]`));
      return;
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw typeError(where, 'an object');
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (!(key in schema.fields)) {
          const field = path ? `${path}.${key}` : key;
          throw new RequestError(400, ONTAP_ERROR.UNEXPECTED_ARGUMENT, `Unexpected argument "${field}".`, field);
        }
      }
      for (const [key, field] of Object.entries(schema.fields)) {
        const fieldPath = path ? `${path}.${key}` : key;
        if (record[key] === undefined) {
          if (field.required) {
            throw new RequestError(400, ONTAP_ERROR.MISSING_FIELD, `Field "${fieldPath}" is required.`, fieldPath);
          }
          continue;
        }
        validate(record[key], field.schema, fieldPath);
      }
      return;
    }
  }
}

function typeError(field: string, expected: string): RequestError {
  return new RequestError(400, ONTAP_ERROR.INVALID_VALUE, `Field "${field}" must be ${expected}.`, field);
}

/** Validates and narrows: the handler then trusts the type. */
export function parse<T>(value: unknown, schema: Schema): T {
  validate(value, schema);
  return value as T;
}
