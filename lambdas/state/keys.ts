// Where each kind of item lives in the one table (docs/architecture.md, "State model").
import type { SvmRef } from './records';

export type ItemKey = { pk: string; sk: string };

/** Every migration item carries this gsi1pk, so one gsi1 query lists them by start time. */
export const MIGRATIONS_INDEX_PK = 'MIGRATION';
export const VOLUME_PREFIX = 'VOLUME#';
export const EVENT_PREFIX = 'EVENT#';

const migrationPk = (id: string): string => `MIGRATION#${id}`;

export const migrationKey = (id: string): ItemKey => ({ pk: migrationPk(id), sk: 'META' });

export const migrationIndexSk = (start: string, id: string): string => `${start}#${id}`;

export const volumeKey = (id: string, name: string): ItemKey => ({
  pk: migrationPk(id),
  sk: `${VOLUME_PREFIX}${name}`,
});

/** Pads the sequence so events of the same instant still sort in the order they were written. */
export const eventId = (at: string, seq: number): string => `${at}#${String(seq).padStart(4, '0')}`;

export const eventKey = (id: string, eventIdValue: string): ItemKey => ({
  pk: migrationPk(id),
  sk: `${EVENT_PREFIX}${eventIdValue}`,
});

export const lockKey = (source: SvmRef): ItemKey => ({
  pk: `LOCK#${source.cluster}/${source.svm}`,
  sk: 'LOCK',
});

/** Drops the table's key attributes from an item read back. */
export function withoutKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, gsi1pk: _gsi1pk, gsi1sk: _gsi1sk, ...rest } = item;
  return rest as T;
}
