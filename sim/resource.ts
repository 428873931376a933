// Declarative ONTAP resources: one table per resource names every field (dotted path), its
// type, and whether POST and PATCH may set it. From the table come the request schemas (a
// field ONTAP knows but the operation does not set answers 262196, an unknown one 262179) and
// the `fields=` check and projection (an unknown name answers 262197; expensive fields only
// when named or with `fields=**`). New resources plug in by writing their table.
import { ONTAP_ERROR } from '../lambdas/ontap/error-codes';
import { RequestError } from './http';
import { type Field, fixed, obj, parse, type Schema } from './schema';

export interface FieldSpec {
  schema: Schema;
  post: boolean;
  patch: boolean;
  required: boolean;
  /** Returned only when named in `fields=` (or `fields=**`), as ONTAP's expensive fields. */
  expensive: boolean;
}
const spec = (schema: Schema, post: boolean, patch: boolean): FieldSpec => ({
  schema,
  post,
  patch,
  required: false,
  expensive: false,
});
/** Read-only: answered, never set. */
export const ro = (schema: Schema) => spec(schema, false, false);
/** Set on POST only (not patchable). */
export const post = (schema: Schema) => spec(schema, true, false);
/** Set on PATCH only. */
export const patch = (schema: Schema) => spec(schema, false, true);
/** Set on POST and PATCH. */
export const rw = (schema: Schema) => spec(schema, true, true);
/** Required on POST. */
export const req = (f: FieldSpec): FieldSpec => ({ ...f, required: true });
export const expensive = (f: FieldSpec): FieldSpec => ({ ...f, expensive: true });

export type FieldTable = Record<string, FieldSpec>;

/** Builds the nested object schema of one operation from the dotted table. */
function compile(table: FieldTable, op: 'post' | 'patch'): Schema {
  interface Node {
    fields: Record<string, Node | Field>;
  }
  const root: Node = { fields: {} };
  for (const [path, f] of Object.entries(table)) {
    const parts = path.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      const next = node.fields[part];
      if (next && !('fields' in next)) throw new Error(`resource table: ${path} under a leaf`);
      node.fields[part] = next ?? { fields: {} };
      node = node.fields[part] as Node;
    }
    const settable = op === 'post' ? f.post : f.patch;
    node.fields[parts.at(-1) as string] = {
      schema: settable ? f.schema : fixed(),
      required: op === 'post' && f.required,
    };
  }
  // An object in the path of a required leaf (`ip` of `ip.address`) is required with it.
  const requiredUnder = (prefix: string) =>
    op === 'post' && Object.entries(table).some(([p, f]) => f.required && p.startsWith(`${prefix}.`));
  const toSchema = (node: Node, prefix: string): Schema =>
    obj(
      Object.fromEntries(
        Object.entries(node.fields).map(([k, v]) => {
          const path = prefix ? `${prefix}.${k}` : k;
          return [k, 'fields' in v ? { schema: toSchema(v, path), required: requiredUnder(path) } : v];
        }),
      ),
    );
  const schema = toSchema(root, '');
  return schema;
}

/**
 * The part of `value` under the dotted `path`, keeping its shape: through an array, each item's
 * part (`fields=aggregates.name` answers `aggregates: [{name}]`, as ONTAP does). Undefined when absent.
 */
function extract(value: unknown, path: string[]): unknown {
  if (path.length === 0) return value;
  if (Array.isArray(value)) return value.map((v) => extract(v, path) ?? {});
  if (!isObject(value)) return undefined;
  const [head, ...rest] = path;
  const inner = extract(value[head], rest);
  return inner === undefined ? undefined : { [head]: inner };
}

/** Two parts of one record together (`fields=svm,svm.name`: the wider one wins; arrays item by item). */
function mergeParts(a: unknown, b: unknown): unknown {
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length)
    return a.map((x, i) => mergeParts(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in out ? mergeParts(out[k], v) : v;
    return out;
  }
  return b === undefined ? a : b;
}

export class Resource {
  readonly create: Schema;
  readonly modify: Schema;
  private readonly expensivePaths: string[];

  constructor(
    readonly name: string,
    readonly table: FieldTable,
    /** Fields every answer carries whatever `fields=` says (ONTAP answers the keys). */
    readonly keys: string[] = ['uuid', 'name'],
  ) {
    this.create = compile(table, 'post');
    this.modify = compile(table, 'patch');
    this.expensivePaths = Object.entries(table)
      .filter(([, f]) => f.expensive)
      .map(([p]) => p);
  }

  parseCreate<T>(body: unknown): T {
    return parse<T>(body, this.create);
  }

  parseModify<T>(body: unknown): T {
    return parse<T>(body, this.modify);
  }

  /** A name `fields=` or a query may use: a field of the table, one of its parents, or a part of an object-typed leaf. */
  knows(field: string): boolean {
    return (
      Object.keys(this.table).some(
        (p) => p === field || p.startsWith(`${field}.`) || field.startsWith(`${p}.`),
      ) || this.keys.includes(field)
    );
  }

  /** The record as `fields=` asks for it; throws ONTAP's 262197 for a name the resource lacks. */
  project<T>(record: T, query: URLSearchParams): T {
    const raw = query.get('fields');
    // `root.*` names every field under `root`.
    const names =
      raw === null
        ? []
        : raw
            .split(',')
            .map((s) => s.trim().replace(/\.\*$/, ''))
            .filter(Boolean);
    for (const name of names) {
      if (name !== '*' && name !== '**' && !this.knows(name)) {
        throw new RequestError(
          400,
          ONTAP_ERROR.INVALID_FIELD_VALUE,
          `The value "${name}" is invalid for field "fields" (<field,...>)`,
          'fields',
        );
      }
    }
    const all = raw === null || names.includes('*') || names.includes('**');
    let out: Record<string, unknown>;
    if (all) {
      out = { ...(record as Record<string, unknown>) };
      if (!names.includes('**'))
        for (const p of this.expensivePaths) if (!names.includes(p)) removePath(out, p.split('.'));
    } else out = {};
    for (const key of [...this.keys, '_links', ...names.filter((n) => n !== '*' && n !== '**')]) {
      const part = extract(record, key.split('.'));
      if (part !== undefined) out = mergeParts(out, part) as Record<string, unknown>;
    }
    return out as T;
  }
}

function removePath(out: Record<string, unknown>, path: string[]): void {
  const [head, ...rest] = path;
  if (!(head in out)) return;
  if (rest.length === 0) {
    delete out[head];
    return;
  }
  const child = out[head];
  if (typeof child !== 'object' || child === null) return;
  const copy = { ...(child as Record<string, unknown>) };
  removePath(copy, rest);
  out[head] = copy;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `a` with `b` merged in, recursively over plain objects; `b` wins. Neither is changed. */
export function deepMerge<A, B>(a: A, b: B): A & B {
  if (!isObject(a) || !isObject(b)) return (b === undefined ? a : b) as A & B;
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in out ? deepMerge(out[k], v) : v;
  return out as A & B;
}

/** The body without the dotted paths a handler acts on: what a record keeps in `extra` and answers back (undefined: nothing). */
export function unhandled(
  body: Record<string, unknown>,
  handled: string[],
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = JSON.parse(JSON.stringify(body));
  for (const path of handled) removePath(out, path.split('.'));
  const prune = (o: Record<string, unknown>): void => {
    for (const [k, v] of Object.entries(o)) {
      if (isObject(v)) {
        prune(v);
        if (Object.keys(v).length === 0) delete o[k];
      }
    }
  };
  prune(out);
  return Object.keys(out).length > 0 ? out : undefined;
}
