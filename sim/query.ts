// ONTAP collection queries: `?name=vol1`, `?svm.name=svm_demo`, `a|b` alternatives and `*`
// wildcards on any dotted field; `fields=` (see resource.ts), paging by `max_records` with a
// `_links.next` that carries the cursor (`start.<key>`), `return_records=false`, and
// `return_timeout` (accepted on every call, bounded as ONTAP bounds it).
import { invalid } from './http';
import type { Resource } from './resource';

const NOT_FILTERS = new Set(['fields', 'return_timeout', 'return_records', 'max_records', 'order_by']);
const CURSOR = 'start.';

/** The query of one request, with the path it was sent to (so a page can link the next one). */
export class OntapQuery extends URLSearchParams {
  constructor(
    init: URLSearchParams,
    readonly path: string,
  ) {
    super(init);
  }
}

function valueAt(record: unknown, path: string): unknown {
  let cur = record;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function matches(value: unknown, expr: string): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.some((v) => matches(v, expr));
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return expr.split('|').some((alt) => {
    const pattern = new RegExp(
      `^${alt
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    return pattern.test(text);
  });
}

function filterRecords<T>(records: T[], query: URLSearchParams): T[] {
  let out = records;
  for (const [key, expr] of query.entries()) {
    if (NOT_FILTERS.has(key) || key.startsWith(CURSOR)) continue;
    out = out.filter((r) => matches(valueAt(r, key), expr));
  }
  return out;
}

/** The field that orders a collection for paging: its first key present in the records. */
function cursorKey(records: unknown[], resource?: Resource): string | undefined {
  const candidates = [...(resource?.keys ?? []), 'uuid', 'id', 'index', 'svm.uuid', 'name'];
  return candidates.find((k) => records.length > 0 && records.every((r) => valueAt(r, k) !== undefined));
}

function positiveInt(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw invalid(`${name} must be a positive integer`, name);
  return n;
}

export interface CollectionAnswer<T> {
  records?: T[];
  num_records: number;
  _links: { self: { href: string }; next?: { href: string } };
}

export function collection<T>(
  records: T[],
  query: URLSearchParams,
  resource?: Resource,
): CollectionAnswer<T> {
  returnTimeout(query);
  const filtered = filterRecords(records, query);
  const key = cursorKey(filtered, resource);
  let start = 0;
  const cursor = key && query.get(`${CURSOR}${key}`);
  if (key && cursor !== null && cursor !== undefined) {
    start = filtered.findIndex((r) => String(valueAt(r, key)) === cursor);
    if (start < 0) start = filtered.length;
  }
  const max = positiveInt(query, 'max_records');
  const page = filtered.slice(start, max === undefined ? undefined : start + max);
  const path = query instanceof OntapQuery ? query.path : '';
  const self = `${path}${query.size > 0 ? `?${query.toString()}` : ''}`;
  const answer: CollectionAnswer<T> = { num_records: page.length, _links: { self: { href: self } } };
  if (query.get('return_records') !== 'false')
    answer.records = page.map((r) => (resource ? resource.project(r, query) : r));
  const following = filtered[start + page.length];
  if (key && following !== undefined) {
    const next = new URLSearchParams(query);
    next.set(`${CURSOR}${key}`, String(valueAt(following, key)));
    answer._links.next = { href: `${path}?${next.toString()}` };
  }
  return answer;
}

/** One record as `fields=` asks (all but the expensive fields without it). */
export function single<T>(record: T, query: URLSearchParams, resource?: Resource): T {
  returnTimeout(query);
  return resource ? resource.project(record, query) : record;
}

/** `return_timeout` in seconds (ONTAP allows 0..120); undefined when absent. */
export function returnTimeout(query: URLSearchParams): number | undefined {
  const raw = query.get('return_timeout');
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 120)
    throw invalid('return_timeout must be an integer from 0 to 120', 'return_timeout');
  return n;
}

export const wantsRecords = (query: URLSearchParams) => query.get('return_records') === 'true';
