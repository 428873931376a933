// A small schema language for request bodies, so every endpoint accepts what ONTAP accepts and
// refuses what it refuses: dotted keys (`"svm.name"`) and nested objects alike, enum values in
// any case (answered in ONTAP's lower case), and, with ONTAP's codes, unknown fields
// (UNEXPECTED_ARGUMENT), fields that exist but cannot be set in this operation (NOT_SETTABLE),
// wrong types (INVALID_VALUE), and missing required fields (MISSING_FIELD), each naming the
// offending field as `target`. Resources declare their fields once in a table (resource.ts).
import { ONTAP_ERROR } from '../lambdas/ontap/error-codes';
import { RequestError } from './http';

export type Schema =
  | { kind: 'string' }
  | { kind: 'integer'; min?: number; max?: number }
  | { kind: 'boolean' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'array'; of: Schema }
  | { kind: 'object'; fields: Record<string, Field> }
  /** A field of the resource that this operation does not set (read-only, or POST-only on PATCH). */
  | { kind: 'fixed' };
export interface Field {
  schema: Schema;
  required: boolean;
}

export const str = (): Schema => ({ kind: 'string' });
export const int = (min?: number, max?: number): Schema => ({ kind: 'integer', min, max });
export const bool = (): Schema => ({ kind: 'boolean' });
export const oneOf = (values: readonly string[]): Schema => ({ kind: 'enum', values });
export const list = (of: Schema): Schema => ({ kind: 'array', of });
export const fixed = (): Schema => ({ kind: 'fixed' });
export const obj = (fields: Record<string, Schema | Field>): Schema => ({
  kind: 'object',
  fields: Object.fromEntries(
    Object.entries(fields).map(([k, v]) => [k, 'schema' in v ? v : { schema: v, required: false }]),
  ),
});
export const required = (schema: Schema): Field => ({ schema, required: true });
/** A reference to another object by name and/or uuid, as ONTAP accepts them. */
export const ref = (): Schema => obj({ name: str(), uuid: str() });

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `{"svm.name": "vs1", "nas": {"path": "/a"}}` -> `{"svm": {"name": "vs1"}, "nas": {"path": "/a"}}`,
 * at every depth (array items included). A field given twice is ONTAP's 262188.
 */
export function undot(value: unknown, path = ''): unknown {
  if (Array.isArray(value)) return value.map((v, i) => undot(v, `${path}[${i}]`));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  const put = (target: Record<string, unknown>, parts: string[], v: unknown, where: string): void => {
    const [head, ...rest] = parts;
    if (rest.length === 0) {
      if (head in target && !(isPlainObject(target[head]) && isPlainObject(v))) throw twice(where);
      target[head] =
        isPlainObject(target[head]) && isPlainObject(v)
          ? merge(target[head] as Record<string, unknown>, v, where)
          : v;
      return;
    }
    if (head in target && !isPlainObject(target[head])) throw twice(where);
    target[head] ??= {};
    put(target[head] as Record<string, unknown>, rest, v, where);
  };
  const merge = (
    a: Record<string, unknown>,
    b: Record<string, unknown>,
    where: string,
  ): Record<string, unknown> => {
    for (const [k, v] of Object.entries(b)) put(a, [k], v, `${where}.${k}`);
    return a;
  };
  for (const [key, v] of Object.entries(value)) {
    const where = path ? `${path}.${key}` : key;
    put(out, key.split('.'), undot(v, where), where);
  }
  return out;
}

const twice = (field: string) =>
  new RequestError(400, ONTAP_ERROR.SPECIFIED_TWICE, `Field "${field}" was specified twice.`, field);

/** Checks `value` against `schema`; returns it with enum values in ONTAP's case; throws ONTAP's RequestError. */
export function validate(value: unknown, schema: Schema, path = ''): unknown {
  const where = path || 'body';
  switch (schema.kind) {
    case 'fixed':
      throw new RequestError(
        400,
        ONTAP_ERROR.NOT_SETTABLE,
        `Field "${where}" cannot be set in this operation.`,
        where,
      );
    case 'string':
      if (typeof value !== 'string') throw typeError(where, value, 'a string');
      return value;
    case 'integer':
      // ONTAP reads a number in a string as the number (NetApp's clients send some that way).
      if (typeof value === 'string' && /^-?\d+$/.test(value)) return validate(Number(value), schema, path);
      if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError(where, value, 'an integer');
      if (schema.min !== undefined && value < schema.min) throw rangeError(where, value, schema);
      if (schema.max !== undefined && value > schema.max) throw rangeError(where, value, schema);
      return value;
    case 'boolean':
      // `"true"` / `"false"`, as na_ontap_nfs sends them, are the booleans.
      if (value === 'true' || value === 'false') return value === 'true';
      if (typeof value !== 'boolean') throw typeError(where, value, 'a boolean');
      return value;
    case 'enum': {
      const found =
        typeof value === 'string'
          ? schema.values.find((v) => v.toLowerCase() === value.toLowerCase())
          : undefined;
      if (found === undefined) {
        throw new RequestError(
          400,
          ONTAP_ERROR.INVALID_FIELD_VALUE,
          `"${String(value)}" is an invalid value for field "${where}" (<${schema.values.join('|')}>)`,
          where,
        );
      }
      return found;
    }
    case 'array':
      if (!Array.isArray(value)) throw typeError(where, value, 'an array');
      return value.map((item, i) => validate(item, schema.of, `${where}[${i}]`));
    case 'object': {
      // A reference given by its name alone, as NetApp's clients send it: `"ipspace": "Default"`.
      if (typeof value === 'string' && schema.fields.name?.schema.kind === 'string')
        return validate({ name: value }, schema, path);
      if (!isPlainObject(value)) throw typeError(where, value, 'an object');
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        if (!(key in schema.fields)) {
          const field = path ? `${path}.${key}` : key;
          throw new RequestError(
            400,
            ONTAP_ERROR.UNEXPECTED_ARGUMENT,
            `Unexpected argument "${field}".`,
            field,
          );
        }
      }
      for (const [key, field] of Object.entries(schema.fields)) {
        const fieldPath = path ? `${path}.${key}` : key;
        if (value[key] === undefined) {
          if (field.required) {
            throw new RequestError(
              400,
              ONTAP_ERROR.MISSING_FIELD,
              `Missing value for required field "${fieldPath}".`,
              fieldPath,
            );
          }
          continue;
        }
        out[key] = validate(value[key], field.schema, fieldPath);
      }
      return out;
    }
  }
}

function typeError(field: string, value: unknown, expected: string): RequestError {
  return new RequestError(
    400,
    ONTAP_ERROR.INVALID_VALUE,
    `Invalid value "${JSON.stringify(value)}" for field "${field}": expected ${expected}.`,
    field,
  );
}

function rangeError(field: string, value: number, schema: { min?: number; max?: number }): RequestError {
  const range = `${schema.min ?? '-inf'}..${schema.max ?? 'inf'}`;
  return new RequestError(
    400,
    ONTAP_ERROR.INVALID_VALUE,
    `Invalid value "${value}" for field "${field}": expected ${range}.`,
    field,
  );
}

/** Expands dotted keys, validates and narrows: the handler then trusts the type. */
export function parse<T>(value: unknown, schema: Schema): T {
  return validate(undot(value), schema) as T;
}
