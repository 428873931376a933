// Finds the migration a command is about (by id, by execution ARN, or by SVM) and tells
// whether an execution still acts on it.
import type { MigrationEvent, MigrationRecord } from '../lambdas/state/records';
import { notFound } from './errors';
import type { ExecutionSummary, MigrationTarget } from './target';

const MIGRATION_ID = /^mig-[A-Za-z0-9-]{1,64}$/;
/** How far back `status <svm>` looks for the SVM's last migration. */
const LIST_SCAN_LIMIT = 500;

/** `mig-...`, an execution ARN, or `[cluster/]svm` (its running migration, else its latest). */
export async function resolveMigration(target: MigrationTarget, ref: string): Promise<MigrationRecord> {
  if (MIGRATION_ID.test(ref)) return requireMigration(target, ref);
  if (ref.startsWith('arn:')) {
    const execution = await target.describeExecution(ref);
    if (!execution) throw notFound(`no execution ${ref}`);
    const input = execution.input as
      | { migrationId?: string; source?: { cluster: string; svm: string } }
      | undefined;
    if (input?.migrationId) return requireMigration(target, input.migrationId);
    if (input?.source) {
      const found = await latestOf(target, input.source.svm, input.source.cluster);
      if (found) return found;
    }
    throw notFound(`execution ${ref} has no migration (a check-only run, or it failed before beginning one)`);
  }
  const [cluster, svm] = ref.includes('/') ? ref.split('/', 2) : [undefined, ref];
  const found = await latestOf(target, svm, cluster);
  if (!found) throw notFound(`no migration of SVM ${ref}`);
  return found;
}

export async function requireMigration(target: MigrationTarget, id: string): Promise<MigrationRecord> {
  const m = await target.store.get(id);
  if (!m) throw notFound(`no migration ${id}`);
  return m;
}

async function latestOf(
  target: MigrationTarget,
  svm: string,
  cluster: string | undefined,
): Promise<MigrationRecord | undefined> {
  if (cluster) {
    const active = await target.store.findActiveForSvm(cluster, svm);
    if (active) return active;
  }
  let cursor: string | undefined;
  let seen = 0;
  do {
    const page = await target.store.list({ limit: 100, ...(cursor && { cursor }) });
    const match = page.items.find(
      (m) => m.source.svm === svm && (cluster === undefined || m.source.cluster === cluster),
    );
    if (match) return match;
    seen += page.items.length;
    cursor = page.cursor;
  } while (cursor && seen < LIST_SCAN_LIMIT);
  return undefined;
}

/** The execution that owns the migration, or the one it handed off to (continue-as-new) while that one runs. */
export async function actingExecution(
  target: MigrationTarget,
  m: MigrationRecord,
): Promise<ExecutionSummary | undefined> {
  const owner = await target.describeExecution(m.owner);
  if (owner?.running || !m.handoffTo) return owner;
  const successor = await target.describeExecution(m.handoffTo);
  return successor?.running ? successor : owner;
}

/** Every execution that worked on the migration, oldest first, from its event log. */
export function executionsOf(m: MigrationRecord, events: MigrationEvent[]): string[] {
  const arns = events.map((e) => e.detail?.executionId).filter((id): id is string => typeof id === 'string');
  return [...new Set([...arns, m.owner])];
}

/** The whole event log (the store reads it a page at a time). */
export async function allEvents(target: MigrationTarget, id: string): Promise<MigrationEvent[]> {
  const events: MigrationEvent[] = [];
  for (;;) {
    const page = await target.store.listEvents(id, {
      limit: 500,
      ...(events.length > 0 && { after: events[events.length - 1].id }),
    });
    events.push(...page);
    if (page.length < 500) return events;
  }
}
