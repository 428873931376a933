// The AWS target against mocked Step Functions and DynamoDB clients: the exact calls each
// command makes (execution names, inputs, ARNs), and how a recorded history reads.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  type ExecutionStatus,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { MigrationRecord } from '../../lambdas/state/records';
import { cli, tempWorkDir } from './helpers';

const STATE_MACHINE = 'arn:aws:states:eu-west-1:111122223333:stateMachine:SvmMigrate-MigrationStateMachine';
const EXECUTION_PREFIX = 'arn:aws:states:eu-west-1:111122223333:execution:SvmMigrate-MigrationStateMachine';
const TABLE = 'SvmMigrate-MigrationTable';
const AWS = [
  '--target',
  'aws',
  '--region',
  'eu-west-1',
  '--state-machine-arn',
  STATE_MACHINE,
  '--table-name',
  TABLE,
];
const INPUT_FLAGS = [
  '--source-cluster',
  'onprem-a',
  '--source-svm',
  'svm_nfs01',
  '--destination-cluster',
  'fsx-prod',
];
/** sha256 of the input with the schema's defaults, keys sorted: the name never changes for this input. */
const NAME = 'onprem-a.svm_nfs01-4728068bf3278fe1';
const HISTORY = JSON.parse(
  fs.readFileSync(path.join(__dirname, 'fixtures/get-execution-history.json'), 'utf8'),
) as {
  executionArn: string;
  pages: Array<{
    events: Array<Omit<HistoryEvent, 'timestamp'> & { timestamp: string }>;
    nextToken?: string;
  }>;
};

const sfn = mockClient(SFNClient);
const ddb = mockClient(DynamoDBDocumentClient);
const cloudFormation = mockClient(CloudFormationClient);

/** The table's items by `pk|sk`, answered the way DynamoDB would for the store's Get and Query. */
let items: Map<string, Record<string, unknown>>;

function migration(overrides: Partial<MigrationRecord> = {}): MigrationRecord {
  return {
    id: 'mig-20261130T101500-3f9a1c',
    source: { cluster: 'onprem-a', svm: 'svm_nfs01' },
    destination: { cluster: 'fsx-prod' },
    options: { autoCutover: true, autoSourceCleanup: true, throttle: 0 },
    phase: 'transferring',
    status: 'transferring',
    generation: 1,
    version: 7,
    owner: HISTORY.executionArn,
    leaseSeconds: 900,
    leaseExpiresAt: '2026-11-30T10:45:00.000Z',
    pointOfNoReturn: false,
    destinationServing: false,
    restarts: 0,
    retries: 1,
    relocations: 0,
    times: { start: '2026-11-30T10:15:00.120Z' },
    requests: {},
    messages: [],
    ...overrides,
  };
}

function putMigration(m: MigrationRecord): void {
  items.set(`MIGRATION#${m.id}|META`, { pk: `MIGRATION#${m.id}`, sk: 'META', ...m });
}

function putEvent(m: MigrationRecord, at: string, type: string, detail: Record<string, unknown>): void {
  items.set(`MIGRATION#${m.id}|EVENT#${at}#0000`, {
    pk: `MIGRATION#${m.id}`,
    sk: `EVENT#${at}#0000`,
    id: `${at}#0000`,
    at,
    type,
    phase: 'setup_configuration',
    detail,
    expiresAt: 0,
  });
}

function describeAnswer(
  status: ExecutionStatus,
  extra: Partial<DescribeExecutionCommandOutput> = {},
): DescribeExecutionCommandOutput {
  return {
    $metadata: {},
    executionArn: HISTORY.executionArn,
    stateMachineArn: STATE_MACHINE,
    name: NAME,
    status,
    startDate: new Date('2026-11-30T10:15:00.000Z'),
    ...extra,
  };
}

beforeEach(() => {
  sfn.reset();
  ddb.reset();
  items = new Map();
  ddb.on(GetCommand).callsFake((input: { Key: { pk: string; sk: string } }) => ({
    Item: items.get(`${input.Key.pk}|${input.Key.sk}`),
  }));
  ddb
    .on(QueryCommand)
    .callsFake((input: { IndexName?: string; ExpressionAttributeValues: Record<string, string> }) => {
      const values = Object.values(input.ExpressionAttributeValues);
      if (input.IndexName) return { Items: [...items.values()].filter((i) => i.sk === 'META') };
      const pk = values.find((v) => v.startsWith('MIGRATION#'));
      const prefix = values.find((v) => v === 'VOLUME#' || v === 'EVENT#') ?? '';
      return {
        Items: [...items.values()]
          .filter((i) => i.pk === pk && String(i.sk).startsWith(prefix))
          .sort((a, b) => String(a.sk).localeCompare(String(b.sk))),
      };
    });
  ddb.on(PutCommand).resolves({});
});

describe('svm-migrate --target aws start', () => {
  it('starts the state machine with the validated input under a name derived from it', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolves({
      executionArn: `${EXECUTION_PREFIX}:${NAME}`,
      startDate: new Date('2026-11-30T10:15:00.000Z'),
    });

    // Act
    const run = await cli(['start', ...INPUT_FLAGS, ...AWS]);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${EXECUTION_PREFIX}:${NAME}\n`);
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input)).toEqual([
      {
        stateMachineArn: STATE_MACHINE,
        name: NAME,
        input: JSON.stringify({
          source: { cluster: 'onprem-a', svm: 'svm_nfs01' },
          destination: { cluster: 'fsx-prod' },
          autoCutover: true,
          autoSourceCleanup: true,
          throttle: 0,
          sourceChanges: 'follow',
          checkOnly: false,
        }),
      },
    ]);
    // The SVM's lock was read first: nothing else migrates it.
    expect(ddb.commandCalls(GetCommand)[0].args[0].input).toMatchObject({
      TableName: TABLE,
      Key: { pk: 'LOCK#onprem-a/svm_nfs01', sk: 'LOCK' },
    });
  });

  it('gives the same name to the same input from a file, whatever the order of its fields', async () => {
    // Prepare
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: `${EXECUTION_PREFIX}:${NAME}`, startDate: new Date() });
    const dir = tempWorkDir();
    fs.writeFileSync(
      path.join(dir, 'input.json'),
      JSON.stringify({
        destination: { cluster: 'fsx-prod' },
        source: { svm: 'svm_nfs01', cluster: 'onprem-a' },
      }),
    );

    // Act
    const run = await cli(['start', '--input', 'input.json', '--json', ...AWS], { cwd: dir });

    // Assess
    expect(JSON.parse(run.stdout)).toMatchObject({
      executionArn: `${EXECUTION_PREFIX}:${NAME}`,
      name: NAME,
      target: 'aws',
    });
    expect(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.name).toBe(NAME);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('passes the options and an explicit --name as given', async () => {
    // Prepare
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: `${EXECUTION_PREFIX}:nfs01-again`, startDate: new Date() });

    // Act
    await cli([
      'start',
      ...INPUT_FLAGS,
      '--aggregates',
      'aggr1,aggr2',
      '--no-auto-cutover',
      '--no-auto-source-cleanup',
      '--throttle',
      '20480',
      '--name',
      'nfs01-again',
      ...AWS,
    ]);

    // Assess
    const call = sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(call.name).toBe('nfs01-again');
    expect(JSON.parse(call.input as string)).toEqual({
      source: { cluster: 'onprem-a', svm: 'svm_nfs01' },
      destination: { cluster: 'fsx-prod', aggregates: ['aggr1', 'aggr2'] },
      autoCutover: false,
      autoSourceCleanup: false,
      throttle: 20480,
      sourceChanges: 'follow',
      checkOnly: false,
    });
  });

  it('reports ExecutionAlreadyExists for a running execution as already running, with its ARN (exit 4)', async () => {
    // Prepare
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    sfn
      .on(DescribeExecutionCommand)
      .resolves(describeAnswer('RUNNING', { executionArn: `${EXECUTION_PREFIX}:${NAME}` }));

    // Act
    const run = await cli(['start', ...INPUT_FLAGS, ...AWS]);

    // Assess
    expect(run.code).toBe(4);
    expect(run.stderr).toBe(
      `svm-migrate: already running: ${EXECUTION_PREFIX}:${NAME} (started 2026-11-30T10:15:00.000Z)\n`,
    );
    expect(sfn.commandCalls(DescribeExecutionCommand)[0].args[0].input).toEqual({
      executionArn: `${EXECUTION_PREFIX}:${NAME}`,
    });
  });

  it('tells how to start the same SVM again when its name belongs to an execution that ended (exit 4)', async () => {
    // Prepare
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    sfn
      .on(DescribeExecutionCommand)
      .resolves(describeAnswer('SUCCEEDED', { stopDate: new Date('2026-11-30T11:02:00.000Z') }));

    // Act
    const run = await cli(['start', ...INPUT_FLAGS, ...AWS]);

    // Assess
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(
      '(ended SUCCEEDED at 2026-11-30T11:02:00.000Z); to start this SVM again, give a new --name',
    );
  });

  it('refuses to start an SVM that a running execution migrates, without calling StartExecution (exit 4)', async () => {
    // Prepare
    const m = migration();
    putMigration(m);
    items.set('LOCK#onprem-a/svm_nfs01|LOCK', {
      pk: 'LOCK#onprem-a/svm_nfs01',
      sk: 'LOCK',
      migrationId: m.id,
      owner: m.owner,
    });
    sfn.on(DescribeExecutionCommand).resolves(describeAnswer('RUNNING'));

    // Act
    const run = await cli(['start', ...INPUT_FLAGS, ...AWS]);

    // Assess
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`already being migrated by ${m.id} (execution ${HISTORY.executionArn})`);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

describe('svm-migrate --target aws status, pause and abort', () => {
  it('status reads the migration and its volumes from the table and the owner from DescribeExecution', async () => {
    // Prepare
    const m = migration();
    putMigration(m);
    items.set(`MIGRATION#${m.id}|VOLUME#vol01`, {
      pk: `MIGRATION#${m.id}`,
      sk: 'VOLUME#vol01',
      name: 'vol01',
      transferState: 'transferring',
      bytesTransferred: 1024 ** 3,
      checkpoint: {},
      errors: [],
    });
    sfn.on(DescribeExecutionCommand).resolves(describeAnswer('RUNNING'));

    // Act
    const run = await cli(['status', m.id, ...AWS]);

    // Assess
    expect(run.code).toBe(0);
    expect(ddb.commandCalls(GetCommand)[0].args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: `MIGRATION#${m.id}`, sk: 'META' },
      ConsistentRead: true,
    });
    expect(sfn.commandCalls(DescribeExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { executionArn: HISTORY.executionArn },
    ]);
    expect(run.stdout).toContain('  phase         transferring   status transferring   generation 1');
    expect(run.stdout).toContain(`  execution     ${HISTORY.executionArn} RUNNING`);
    expect(run.stdout).toContain('  volumes       1 (1 transferring), 1.00 GiB in the last transfers');
  });

  it('pause writes only the request on the migration item', async () => {
    // Prepare
    const m = migration();
    putMigration(m);
    sfn.on(DescribeExecutionCommand).resolves(describeAnswer('RUNNING'));
    ddb.on(UpdateCommand).resolves({ Attributes: { ...m, requests: { pause: '2026-11-30T10:20:00.000Z' } } });

    // Act
    const run = await cli(['pause', m.id, ...AWS]);

    // Assess
    expect(run.code).toBe(0);
    const update = ddb.commandCalls(UpdateCommand)[0].args[0].input;
    expect(update).toMatchObject({ TableName: TABLE, Key: { pk: `MIGRATION#${m.id}`, sk: 'META' } });
    expect(Object.values(update.ExpressionAttributeNames ?? {})).toEqual(
      expect.arrayContaining(['requests', 'pause']),
    );
    expect(update.UpdateExpression).not.toMatch(/version/);
  });

  it('abort after the point of no return is refused with the reason and writes nothing (exit 4)', async () => {
    // Prepare
    const m = migration({ phase: 'cutover_started', status: 'cutover_started', pointOfNoReturn: true });
    putMigration(m);

    // Act
    const run = await cli(['abort', m.id, ...AWS]);

    // Assess
    expect(run.code).toBe(4);
    expect(run.stderr).toBe(
      `svm-migrate: abort of migration ${m.id} refused: it passed the point of no return (phase cutover_started), so it can only roll forward\n`,
    );
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('a migration that does not exist: exit 3', async () => {
    // Act
    const run = await cli(['status', 'mig-20260101T000000-000000', ...AWS]);

    // Assess
    expect(run.code).toBe(3);
    expect(run.stderr).toBe('svm-migrate: no migration mig-20260101T000000-000000\n');
  });
});

describe('svm-migrate --target aws resume', () => {
  it('redrives the last execution when it FAILED and Step Functions can redrive it', async () => {
    // Prepare: the execution failed where nothing recorded it (the record still says transferring).
    const m = migration({ status: 'transferring' });
    putMigration(m);
    sfn
      .on(DescribeExecutionCommand)
      .resolves(describeAnswer('FAILED', { redriveStatus: 'REDRIVABLE', error: 'TransientError' }));
    sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date('2026-11-30T12:00:00.000Z') });

    // Act
    const run = await cli(['resume', m.id, '--json', ...AWS]);

    // Assess
    expect(run.code).toBe(0);
    expect(sfn.commandCalls(RedriveExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { executionArn: HISTORY.executionArn },
    ]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      migrationId: m.id,
      how: 'redriven',
      executionArn: HISTORY.executionArn,
      startDate: '2026-11-30T12:00:00.000Z',
    });
  });

  it('starts a fresh execution with the migration id when the last one cannot be redriven (a pause)', async () => {
    // Prepare
    const m = migration({
      status: 'migrate_paused',
      options: { autoCutover: false, autoSourceCleanup: true, throttle: 100 },
    });
    putMigration(m);
    sfn
      .on(DescribeExecutionCommand)
      .resolves(describeAnswer('SUCCEEDED', { redriveStatus: 'NOT_REDRIVABLE' }));
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: `${EXECUTION_PREFIX}:${m.id}-r7`, startDate: new Date() });

    // Act
    const run = await cli(['resume', m.id, ...AWS]);

    // Assess
    expect(run.code).toBe(0);
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
    const start = sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(start.stateMachineArn).toBe(STATE_MACHINE);
    expect(start.name).toBe(`${m.id}-r7`);
    expect(JSON.parse(start.input as string)).toEqual({
      source: { cluster: 'onprem-a', svm: 'svm_nfs01' },
      destination: { cluster: 'fsx-prod' },
      autoCutover: false,
      autoSourceCleanup: true,
      throttle: 100,
      sourceChanges: 'follow',
      checkOnly: false,
      migrationId: m.id,
    });
  });

  it('refuses while an execution runs the migration (exit 4)', async () => {
    // Prepare
    const m = migration();
    putMigration(m);
    sfn.on(DescribeExecutionCommand).resolves(describeAnswer('RUNNING'));

    // Act
    const run = await cli(['resume', m.id, ...AWS]);

    // Assess
    expect(run.code).toBe(4);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

describe('svm-migrate --target aws history', () => {
  it('reads every page of the execution history and renders a recorded one readably', async () => {
    // Prepare
    const m = migration({ phase: 'migrate_complete', status: 'migrate_complete', pointOfNoReturn: true });
    putMigration(m);
    putEvent(m, '2026-11-30T10:15:00.450Z', 'migration_started', { executionId: HISTORY.executionArn });
    sfn.on(DescribeExecutionCommand).resolves(describeAnswer('SUCCEEDED'));
    const page = (i: number) => ({
      ...HISTORY.pages[i],
      events: HISTORY.pages[i].events.map((e) => ({ ...e, timestamp: new Date(e.timestamp) })),
    });
    sfn.on(GetExecutionHistoryCommand).resolvesOnce(page(0)).resolvesOnce(page(1));

    // Act
    const run = await cli(['history', m.id, ...AWS]);

    // Assess
    expect(sfn.commandCalls(GetExecutionHistoryCommand).map((c) => c.args[0].input)).toEqual([
      { executionArn: HISTORY.executionArn, maxResults: 1000, includeExecutionData: false },
      {
        executionArn: HISTORY.executionArn,
        maxResults: 1000,
        includeExecutionData: false,
        nextToken: HISTORY.pages[0].nextToken,
      },
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(fs.readFileSync(path.join(__dirname, 'fixtures/history.txt'), 'utf8'));
  });
});

describe('svm-migrate --target aws precheck and watch', () => {
  it('precheck starts a check-only execution, waits for it and prints its report', async () => {
    // Prepare
    const report = {
      source: { cluster: 'onprem-a', version: '9.14.1' },
      destination: { cluster: 'fsx-prod', version: '9.15.1' },
      volumes: [{ name: 'nfs01_data', size: 2 * 1024 ** 4, aggregate: 'aggr1' }],
    };
    sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
      executionArn: `${EXECUTION_PREFIX}:${input.name}`,
      startDate: new Date(),
    }));
    sfn
      .on(DescribeExecutionCommand)
      .resolves(describeAnswer('SUCCEEDED', { output: JSON.stringify({ precheck: report }) }));

    // Act
    const run = await cli(['precheck', ...INPUT_FLAGS, ...AWS]);

    // Assess
    expect(run.code).toBe(0);
    const start = sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(start.name).toMatch(/^precheck-[0-9a-f]{16}-[0-9a-z]+$/);
    expect(JSON.parse(start.input as string)).toMatchObject({
      source: { cluster: 'onprem-a', svm: 'svm_nfs01' },
      checkOnly: true,
    });
    expect(sfn.commandCalls(DescribeExecutionCommand)[0].args[0].input).toEqual({
      executionArn: `${EXECUTION_PREFIX}:${start.name}`,
    });
    expect(run.stdout).toContain('    nfs01_data         2.00 TiB  -> aggr1');
  });

  it.each([
    ['completed', 'migrate_complete', 0],
    ['rolled back', 'rolled_back', 1],
  ] as const)('watch of a migration that %s shows it once and exits %i', async (_case, status, code) => {
    // Prepare
    putMigration(migration({ phase: 'transferring', status }));
    sfn.on(DescribeExecutionCommand).resolves(describeAnswer('SUCCEEDED'));

    // Act
    const run = await cli(['watch', 'mig-20261130T101500-3f9a1c', ...AWS]);

    // Assess
    expect(run.code).toBe(code);
    expect(run.stderr).toBe(`migration mig-20261130T101500-3f9a1c ${status} (execution SUCCEEDED)\n`);
  });
});

describe('svm-migrate --target aws configuration', () => {
  it("without --state-machine-arn and --table-name it reads them from the stack's outputs", async () => {
    // Prepare
    cloudFormation.reset();
    cloudFormation.on(DescribeStacksCommand, { StackName: 'Prod-SvmMigrate' }).resolves({
      Stacks: [
        {
          StackName: 'Prod-SvmMigrate',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: [
            { OutputKey: 'StateMachineArn', OutputValue: STATE_MACHINE },
            { OutputKey: 'TableName', OutputValue: TABLE },
          ],
        },
      ],
    });
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: `${EXECUTION_PREFIX}:${NAME}`, startDate: new Date() });

    // Act
    const run = await cli(
      ['start', '--target', 'aws', '--region', 'eu-west-1', '--stack', 'Prod-SvmMigrate', ...INPUT_FLAGS],
      {
        env: { SVM_MIGRATE_STATE_MACHINE_ARN: '', SVM_MIGRATE_TABLE_NAME: '' },
      },
    );

    // Assess
    expect(run.code).toBe(0);
    expect(sfn.commandCalls(StartExecutionCommand)[0].args[0].input).toMatchObject({
      stateMachineArn: STATE_MACHINE,
      name: NAME,
    });
  });

  it('a stack that does not exist is not found (exit 3), with the flags that avoid the lookup', async () => {
    // Prepare
    cloudFormation.reset();
    cloudFormation
      .on(DescribeStacksCommand)
      .rejects(
        Object.assign(new Error('Stack with id SvmMigrate does not exist'), { name: 'ValidationError' }),
      );

    // Act
    const run = await cli(['list', '--target', 'aws', '--region', 'eu-west-1'], {
      env: { SVM_MIGRATE_STATE_MACHINE_ARN: '', SVM_MIGRATE_TABLE_NAME: '' },
    });

    // Assess
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(
      'svm-migrate: stack SvmMigrate does not exist in this account and region (deploy it, pass --stack, or give --state-machine-arn and --table-name)\n',
    );
  });

  it('a stack without the outputs is a usage error naming them', async () => {
    cloudFormation.reset();
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'Other', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] }],
    });
    const run = await cli(['list', '--target', 'aws', '--region', 'eu-west-1', '--stack', 'Other'], {
      env: { SVM_MIGRATE_STATE_MACHINE_ARN: '', SVM_MIGRATE_TABLE_NAME: '' },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^svm-migrate: stack Other has no output StateMachineArn or TableName/);
  });

  it('an execution that does not exist is not found (exit 3)', async () => {
    // Prepare
    sfn
      .on(DescribeExecutionCommand)
      .rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));

    // Act
    const run = await cli(['status', `${EXECUTION_PREFIX}:nope`, ...AWS]);

    // Assess
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(`svm-migrate: no execution ${EXECUTION_PREFIX}:nope\n`);
  });
});
