// Every event of a migration goes through here: into the event log (status views, audits),
// the structured log, and to the notifier that publishes state changes for other systems.

import type { Logger } from '@aws-lambda-powertools/logger';
import type { MigrationStore } from '../../state/migration-store';
import type { MigrationRecord } from '../../state/records';

export interface MigrationNotice {
  type: string;
  migrationId: string;
  phase: MigrationRecord['phase'];
  status: MigrationRecord['status'];
  source: MigrationRecord['source'];
  destination: MigrationRecord['destination'];
  at: string;
  detail: Record<string, unknown>;
}

/** Publishes migration events to other systems (EventBridge on AWS); it picks what it forwards. */
export interface MigrationNotifier {
  publish(notice: MigrationNotice): Promise<void>;
}

/** What recording an event needs of a task's dependencies (Dependencies has it all). */
export interface EventSinks {
  store: Pick<MigrationStore, 'appendEvent'>;
  logger: Pick<Logger, 'info'>;
  notifier: MigrationNotifier;
  now(): Date;
}

export async function recordEvent(
  deps: EventSinks,
  migration: Pick<MigrationRecord, 'id' | 'phase' | 'status' | 'source' | 'destination'>,
  type: string,
  detail: Record<string, unknown> = {},
): Promise<void> {
  const at = deps.now().toISOString();
  await deps.store.appendEvent(migration.id, { type, phase: migration.phase, at, detail });
  deps.logger.info(type.replace(/_/g, ' '), detail);
  await deps.notifier.publish({
    type,
    migrationId: migration.id,
    phase: migration.phase,
    status: migration.status,
    source: migration.source,
    destination: migration.destination,
    at,
    detail,
  });
}
