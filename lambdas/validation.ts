// One JSON-Schema validator for every boundary (execution input, task payloads, CLI input):
// the first failing field becomes a ValidationError that names it and says why.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { ValidationError } from './errors';

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });

function fieldOf(error: ErrorObject): string {
  const base = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const extra =
    error.keyword === 'required' || error.keyword === 'dependencies'
      ? (error.params as { missingProperty: string }).missingProperty
      : error.keyword === 'additionalProperties'
        ? (error.params as { additionalProperty: string }).additionalProperty
        : '';
  return [base, extra].filter(Boolean).join('.') || '(input)';
}

function reasonOf(error: ErrorObject): string {
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'dependencies':
      return `is required with ${(error.params as { property: string }).property}`;
    case 'additionalProperties':
      return 'is not a known field';
    case 'enum':
      return `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'pattern':
      return `must match ${(error.params as { pattern: string }).pattern}`;
    default:
      return error.message ?? 'is invalid';
  }
}

/** Returns the value (with schema defaults applied) or throws ValidationError. */
export type Validator<T> = (value: unknown) => T;

export function validatorFor<T>(schema: object, what: string): Validator<T> {
  const validate: ValidateFunction = ajv.compile(schema);
  return (value: unknown): T => {
    const copy = value === undefined ? value : structuredClone(value);
    if (validate(copy)) return copy as T;
    const errors = validate.errors ?? [];
    const first = errors[0];
    const field = first ? fieldOf(first) : '(input)';
    const reasons = errors.map((e) => `${fieldOf(e)} ${reasonOf(e)}`);
    throw new ValidationError(`invalid ${what}: ${[...new Set(reasons)].join('; ')}`, { field });
  };
}
