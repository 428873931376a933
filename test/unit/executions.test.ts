import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { StepFunctionsExecutions } from '../../lambdas/handlers/aws-dependencies';

const ARN = 'arn:aws:states:eu-west-1:111122223333:execution:SvmMigrate-migration:run-1';
const NOW = new Date('2026-11-30T12:00:00.000Z');

describe('is the owner of a migration still running? (Step Functions)', () => {
  const sfn = mockClient(SFNClient);
  const executions = () => new StepFunctionsExecutions(new SFNClient({}), 'arn:sm', 900, () => NOW);
  beforeEach(() => sfn.reset());

  it.each([
    ['running', { status: 'RUNNING' }, true],
    // Lambda does not stop with the execution: its last task may still act for up to its timeout.
    [
      'stopped 10 minutes ago (a task may still run)',
      { status: 'FAILED', stopDate: new Date(NOW.getTime() - 600_000) },
      undefined,
    ],
    ['stopped 20 minutes ago', { status: 'ABORTED', stopDate: new Date(NOW.getTime() - 1_200_000) }, false],
    ['stopped, no stop date', { status: 'TIMED_OUT' }, undefined],
  ] as const)('%s', async (_case, answer, expected) => {
    // Prepare
    sfn
      .on(DescribeExecutionCommand, { executionArn: ARN })
      .resolves({ executionArn: ARN, stateMachineArn: 'arn:sm', startDate: NOW, ...answer });
    // Act / Assess
    expect(await executions().isRunning(ARN)).toBe(expected);
  });

  it('an execution that does not exist runs nothing', async () => {
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'no', $metadata: {} }));
    expect(await executions().isRunning(ARN)).toBe(false);
  });

  it('when Step Functions cannot be asked, the lease decides', async () => {
    sfn
      .on(DescribeExecutionCommand)
      .rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    expect(await executions().isRunning(ARN)).toBeUndefined();
  });
});
