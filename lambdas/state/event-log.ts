// The event log of a migration, for status views and audits: ordered by time, then by
// arrival within one instant; each event expires through the table's TTL.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ExpressionBuilder, plain } from './expression-builder';
import { EVENT_PREFIX, eventId, eventKey, withoutKeys } from './keys';
import { queryPartition, type Table } from './queries';
import type { MigrationEvent, MigrationEventInput } from './records';

/** Events of one instant beyond this many are a bug in the caller, not a log. */
const MAX_EVENTS_PER_INSTANT = 10_000;

/** Appends to the log; events of the same instant get increasing sequence numbers. Not fenced: the CLI logs too. */
export async function appendEvent(
  table: Table,
  id: string,
  input: MigrationEventInput,
  retentionSeconds: number,
): Promise<MigrationEvent> {
  const expiresAt = Math.floor(Date.parse(input.at) / 1000) + retentionSeconds;
  for (let seq = 0; ; seq++) {
    const event: MigrationEvent = plain({ id: eventId(input.at, seq), ...input, expiresAt });
    const builder = new ExpressionBuilder();
    try {
      await table.client.send(
        new PutCommand({
          TableName: table.name,
          Item: { ...eventKey(id, event.id), ...event },
          ...builder.conditionParams(`attribute_not_exists(${builder.path('pk')})`),
        }),
      );
      return event;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException) || seq + 1 >= MAX_EVENTS_PER_INSTANT) throw err;
    }
  }
}

/** The log in order; `after` is the id of the last event already read. */
export async function listEvents(
  table: Table,
  id: string,
  page: { limit?: number; after?: string } = {},
): Promise<MigrationEvent[]> {
  const startAfter = page.after === undefined ? undefined : eventKey(id, page.after);
  const items = await queryPartition(table, id, EVENT_PREFIX, page.limit, startAfter);
  return items.map((item) => withoutKeys<MigrationEvent>(item));
}
