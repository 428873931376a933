import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import type { MigrationNotice } from '../../lambdas/domain/migration/events';
import { EVENT_SOURCE, EventBridgeNotifier, PUBLISHED_EVENTS } from '../../lambdas/notifications';

const notice = (type: string): MigrationNotice => ({
  type,
  migrationId: 'mig-1',
  phase: 'cutover_started',
  status: 'cutover_started',
  source: { cluster: 'c1', svm: 'svm1' },
  destination: { cluster: 'c2' },
  at: '2026-11-30T10:00:00.000Z',
  detail: { note: 'x' },
});

describe('EventBridge notifications', () => {
  const eventBridge = mockClient(EventBridgeClient);
  beforeEach(() => eventBridge.reset());

  it('publishes a state change with its detail-type, on the configured bus', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
    // Act
    await new EventBridgeNotifier(new EventBridgeClient({}), 'ops-bus').publish(notice('point_of_no_return'));
    // Assess
    const [call] = eventBridge.commandCalls(PutEventsCommand);
    const entry = call.args[0].input.Entries?.[0];
    expect(entry).toMatchObject({
      Source: EVENT_SOURCE,
      DetailType: 'SVM Migration Point Of No Return Reached',
      EventBusName: 'ops-bus',
    });
    expect(JSON.parse(entry?.Detail ?? '{}')).toEqual(notice('point_of_no_return'));
  });

  it('keeps internal events (retries, relocations...) off the bus', async () => {
    await new EventBridgeNotifier(new EventBridgeClient({}), 'default').publish(notice('step_retried'));
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('fails the task when EventBridge refuses the entry, so the change is not lost silently', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }],
    });
    await expect(
      new EventBridgeNotifier(new EventBridgeClient({}), 'default').publish(notice('undo_failed')),
    ).rejects.toMatchObject({
      name: 'TransientError',
      message: expect.stringContaining('ThrottlingException'),
    });
  });

  it('names every state change the issue asks for', () => {
    expect(Object.keys(PUBLISHED_EVENTS)).toEqual(
      expect.arrayContaining([
        'phase_changed',
        'point_of_no_return',
        'migration_complete',
        'migration_rolled_back',
        'migration_failed',
        'undo_failed',
      ]),
    );
  });
});
