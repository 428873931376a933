// Which migration events other systems hear about, and how they look on EventBridge: source
// `svm-migrate`, one detail-type per state change, the migration's summary as the detail.
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mapAwsErrors } from './aws-errors';
import type { MigrationNotice, MigrationNotifier } from './domain/migration/events';
import { TransientError } from './errors';

export const EVENT_SOURCE = 'svm-migrate';

/** Event type (the event log's) -> EventBridge detail-type. Others stay in the event log only. */
export const PUBLISHED_EVENTS: Record<string, string> = {
  migration_started: 'SVM Migration Started',
  phase_changed: 'SVM Migration Phase Changed',
  point_of_no_return: 'SVM Migration Point Of No Return Reached',
  migration_complete: 'SVM Migration Completed',
  migration_paused: 'SVM Migration Paused',
  migration_restarted: 'SVM Migration Restarted',
  migration_rolled_back: 'SVM Migration Rolled Back',
  migration_failed: 'SVM Migration Failed',
  undo_failed: 'SVM Migration Undo Failed',
};

export function detailTypeOf(type: string): string | undefined {
  return PUBLISHED_EVENTS[type];
}

export class EventBridgeNotifier implements MigrationNotifier {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {
    mapAwsErrors(client, 'EventBridge');
  }

  async publish(notice: MigrationNotice): Promise<void> {
    const detailType = detailTypeOf(notice.type);
    if (!detailType) return;
    const out = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: EVENT_SOURCE,
            DetailType: detailType,
            Detail: JSON.stringify(notice),
            EventBusName: this.eventBusName,
            Time: new Date(notice.at),
          },
        ],
      }),
    );
    // PutEvents answers 200 with per-entry failures; a lost state change would go unnoticed.
    if ((out.FailedEntryCount ?? 0) > 0) {
      const entry = out.Entries?.[0];
      throw new TransientError(
        `EventBridge refused ${detailType}: ${entry?.ErrorCode ?? ''} ${entry?.ErrorMessage ?? ''}`.trim(),
      );
    }
  }
}

/** Local runs: keeps what would have been published, in order, for the CLI and tests to read. */
export class RecordingNotifier implements MigrationNotifier {
  readonly published: { detailType: string; notice: MigrationNotice }[] = [];

  async publish(notice: MigrationNotice): Promise<void> {
    const detailType = detailTypeOf(notice.type);
    if (detailType) this.published.push({ detailType, notice });
  }
}

/** Publishes each notice to every notifier in turn; the first that fails fails the task. */
export class CompositeNotifier implements MigrationNotifier {
  private readonly notifiers: readonly MigrationNotifier[];

  constructor(...notifiers: MigrationNotifier[]) {
    this.notifiers = notifiers;
  }

  async publish(notice: MigrationNotice): Promise<void> {
    for (const notifier of this.notifiers) await notifier.publish(notice);
  }
}
