// ONTAP collection queries: `?name=vol1`, `?svm.name=svm_demo`, `a|b` alternatives and `*`
// wildcards on any dotted field; `fields`, `return_timeout` and friends are not filters.
import { invalid } from './http';

const NOT_FILTERS = new Set(['fields', 'return_timeout', 'return_records', 'max_records', 'order_by']);

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
    const pattern = new RegExp(`^${alt.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    return pattern.test(text);
  });
}

function filterRecords<T>(records: T[], query: URLSearchParams): T[] {
  let out = records;
  for (const [key, expr] of query.entries()) {
    if (NOT_FILTERS.has(key)) continue;
    out = out.filter((r) => matches(valueAt(r, key), expr));
  }
  return out;
}

export function collection<T>(records: T[], query: URLSearchParams): { records: T[]; num_records: number } {
  const filtered = filterRecords(records, query);
  const max = query.get('max_records');
  const limited = max ? filtered.slice(0, Number(max)) : filtered;
  return { records: limited, num_records: limited.length };
}

/** `return_timeout` in seconds (ONTAP allows 0..120); undefined when absent. */
export function returnTimeout(query: URLSearchParams): number | undefined {
  const raw = query.get('return_timeout');
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 120) throw invalid('return_timeout must be an integer from 0 to 120', 'return_timeout');
  return n;
}

export const wantsRecords = (query: URLSearchParams) => query.get('return_records') === 'true';
