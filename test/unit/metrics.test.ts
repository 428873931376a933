// Migration events become CloudWatch metrics: the embedded-metric-format JSON that Powertools
// writes to stdout is captured and read back, as CloudWatch Logs would extract it.
import { Metrics } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import type { Dependencies } from '../../lambdas/domain/migration/dependencies';
import type { MigrationNotice } from '../../lambdas/domain/migration/events';
import { logger } from '../../lambdas/handlers/logger';
import { metrics as sharedMetrics } from '../../lambdas/handlers/metrics';
import { taskHandler } from '../../lambdas/handlers/task';
import { MetricsNotifier } from '../../lambdas/metrics';
import {
  COUNTED_EVENTS,
  CUTOVER_WINDOW_METRIC,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
} from '../../lambdas/migration-metrics';
import { CompositeNotifier, EventBridgeNotifier } from '../../lambdas/notifications';
import { createLambdaContext } from '../../local/lambda-context';

interface EmfRecord {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

const notice = (type: string, detail: Record<string, unknown> = {}): MigrationNotice => ({
  type,
  migrationId: 'mig-1',
  phase: 'cutover_complete',
  status: 'cutover_complete',
  source: { cluster: 'c1', svm: 'svm1' },
  destination: { cluster: 'c2' },
  at: '2026-11-30T10:00:00.000Z',
  detail,
});

/** The EMF records written to stdout while `act` runs (other stdout lines, such as logs, are left out). */
async function captureEmf(act: () => Promise<unknown>): Promise<EmfRecord[]> {
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(
      ...String(chunk)
        .split('\n')
        .filter((l) => l.trim() !== ''),
    );
    return true;
  });
  try {
    await act().catch(() => undefined);
  } finally {
    write.mockRestore();
  }
  return lines.flatMap((line) => {
    try {
      const parsed = JSON.parse(line) as Partial<EmfRecord>;
      return parsed._aws ? [parsed as EmfRecord] : [];
    } catch {
      return [];
    }
  });
}

/** Metric name -> value(s), from the EMF records, with each record's namespace and dimensions checked. */
function valuesOf(records: EmfRecord[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const record of records) {
    for (const directive of record._aws.CloudWatchMetrics) {
      expect(directive.Namespace).toBe(METRICS_NAMESPACE);
      expect(directive.Dimensions).toEqual([['service']]);
      for (const metric of directive.Metrics) values[metric.Name] = record[metric.Name];
    }
    expect(record.service).toBe(METRICS_SERVICE);
  }
  return values;
}

const quiet = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };
const newMetrics = () =>
  new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE, logger: quiet });

describe('MetricsNotifier', () => {
  it.each(Object.entries(COUNTED_EVENTS))(
    'counts %s as one %s, with the service as the only dimension',
    async (type, metric) => {
      // Prepare
      const metrics = newMetrics();
      // Act
      const records = await captureEmf(async () => {
        await new MetricsNotifier(metrics).publish(notice(type));
        metrics.publishStoredMetrics();
      });
      // Assess
      expect(records).toHaveLength(1);
      expect(valuesOf(records)).toEqual({ [metric]: 1 });
      expect(records[0]._aws.CloudWatchMetrics[0].Metrics).toEqual([{ Name: metric, Unit: 'Count' }]);
      // Low cardinality: the migration id is neither a dimension nor a property of the record.
      expect(JSON.stringify(records[0])).not.toContain('mig-1');
    },
  );

  it('reports the cut-over window in seconds from cutover_complete', async () => {
    const metrics = newMetrics();
    const records = await captureEmf(async () => {
      await new MetricsNotifier(metrics).publish(
        notice('cutover_complete', { serving: true, cutoverWindowSeconds: 27.5 }),
      );
      metrics.publishStoredMetrics();
    });
    expect(valuesOf(records)).toEqual({ [CUTOVER_WINDOW_METRIC]: 27.5 });
    expect(records[0]._aws.CloudWatchMetrics[0].Metrics).toEqual([
      { Name: CUTOVER_WINDOW_METRIC, Unit: 'Seconds' },
    ]);
  });

  it.each([
    ['a cutover_complete without a window (resumed commit)', notice('cutover_complete', { serving: true })],
    ['a state change that is no metric', notice('phase_changed', { phase: 'transferring' })],
    ['the point of no return', notice('point_of_no_return')],
  ])('adds nothing for %s', async (_case, event) => {
    const metrics = newMetrics();
    const records = await captureEmf(async () => {
      await new MetricsNotifier(metrics).publish(event);
      metrics.publishStoredMetrics();
    });
    expect(records).toEqual([]);
  });

  it('sums the events of one invocation into one record', async () => {
    const metrics = newMetrics();
    const records = await captureEmf(async () => {
      const notifier = new MetricsNotifier(metrics);
      await notifier.publish(notice('step_retried'));
      await notifier.publish(notice('step_retried'));
      await notifier.publish(notice('migration_restarted'));
      metrics.publishStoredMetrics();
    });
    expect(records).toHaveLength(1);
    expect(valuesOf(records)).toEqual({ Retries: [1, 1], Restarts: 1 });
  });
});

describe('the task wrapper flushes the shared metrics once per invocation', () => {
  const eventBridge = mockClient(EventBridgeClient);
  const context = createLambdaContext({
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:svm-migrate-recordUndoFailed',
    memoryLimitInMB: 512,
    deadline: Date.now() + 60_000,
  });
  const parse = (value: unknown) => value as { migrationId: string };
  const notifier = new CompositeNotifier(
    new MetricsNotifier(sharedMetrics),
    new EventBridgeNotifier(new EventBridgeClient({}), 'default'),
  );
  // The task's handler as the Lambda entry builds it: on the container's shared metrics.
  const on = { dependencies: { notifier, logger } as unknown as Dependencies, metrics: sharedMetrics };
  const recordsUndoFailure = taskHandler('recordUndoFailed', parse, async (_payload, deps) => {
    await deps.notifier.publish(notice('undo_failed'));
    return { recorded: true };
  })(on);

  // The wrapper's own log lines (a failed task warns) are not what these tests read.
  beforeAll(() => jest.spyOn(logger, 'warn').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());
  beforeEach(() => {
    eventBridge.reset();
  });

  it('after a task that returns', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
    // Act
    const records = await captureEmf(() => recordsUndoFailure({ migrationId: 'mig-1' }, context));
    // Assess
    expect(valuesOf(records)).toEqual({ UndoFailures: 1 });
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(1);
  });

  it("after a task that fails because EventBridge refused the event: the alarm's count is not lost", async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });
    let thrown: unknown;
    const records = await captureEmf(() =>
      recordsUndoFailure({ migrationId: 'mig-1' }, context).catch((err: unknown) => (thrown = err)),
    );
    expect(thrown).toMatchObject({ name: 'TransientError' });
    expect(valuesOf(records)).toEqual({ UndoFailures: 1 });
  });

  it('and writes nothing when the invocation recorded no counted event', async () => {
    const polls = taskHandler('pollTransfer', parse, async () => ({ action: 'wait' }))(on);
    const records = await captureEmf(() => polls({ migrationId: 'mig-1' }, context));
    expect(records).toEqual([]);
  });
});
