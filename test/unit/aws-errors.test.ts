// AWS SDK failures mapped in one place (lambdas/aws-errors.ts): what may pass becomes a
// TransientError (retried in place by the state machine), the rest reaches its caller unchanged.
// The SSM case runs the real SDK client against a loopback endpoint that throttles.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { fromAwsError } from '../../lambdas/aws-errors';
import { SsmConfigSource } from '../../lambdas/config';
import { TransientError } from '../../lambdas/errors';

const sdkError = (name: string, status?: number, extra: object = {}) =>
  Object.assign(new Error(`${name} happened`), {
    name,
    ...(status !== undefined && { $metadata: { httpStatusCode: status } }),
    ...extra,
  });

describe('fromAwsError', () => {
  it.each([
    ['throttling', sdkError('ThrottlingException', 400), 'throttled'],
    ['DynamoDB throughput exceeded', sdkError('ProvisionedThroughputExceededException', 400), 'throttled'],
    ['HTTP 429', sdkError('SomethingElse', 429), 'throttled'],
    ['a timeout', sdkError('TimeoutError'), 'timed out'],
    ['a 5xx', sdkError('InternalServerError', 500), 'answered HTTP 500'],
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      'could not be reached (ECONNREFUSED)',
    ],
    [
      'an unreachable endpoint (one error per address)',
      new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })], ''),
      'could not be reached',
    ],
    [
      'no answer after the SDK attempts, kept as text',
      Object.assign(new Error('AWS SDK error wrapper for TimeoutError: read ECONNRESET'), {
        $metadata: { attempts: 3 },
      }),
      'could not be reached',
    ],
  ])('%s is a TransientError naming the service', (_case, err, reason) => {
    // Act
    const mapped = fromAwsError('DynamoDB', err);

    // Assess
    expect(mapped).toBeInstanceOf(TransientError);
    expect((mapped as Error).message).toMatch(new RegExp(`^DynamoDB ${reason.replace(/[()]/g, '\\$&')}`));
    expect((mapped as Error).cause).toBe(err);
  });

  it.each([
    [
      'a refused condition (the store names it)',
      new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: { httpStatusCode: 400 },
      }),
    ],
    ['a missing parameter', sdkError('ParameterNotFound', 400)],
    ['access denied', sdkError('AccessDeniedException', 400)],
    ['a plain programming error', new TypeError('x is undefined')],
  ])('%s passes unchanged', (_case, err) => {
    expect(fromAwsError('SSM', err)).toBe(err);
  });
});

describe('SSM throttling through the real SDK client', () => {
  let server: http.Server;
  let throttled: number;
  let calls = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        calls++;
        if (throttled > 0) {
          throttled--;
          res.writeHead(400, {
            'content-type': 'application/x-amz-json-1.1',
            'x-amzn-errortype': 'ThrottlingException',
          });
          res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
          return;
        }
        const value = (name: string) =>
          name === 'pollIterationCap' ||
          name === 'lagThresholdSeconds' ||
          name === 'volumeConcurrency' ||
          name === 'leaseSeconds'
            ? '5'
            : '1';
        const names = [
          'retryMaxAttempts',
          'pollIntervalSeconds',
          'pollIterationCap',
          'restartLimit',
          'relocationLimit',
          'lagThresholdSeconds',
          'volumeConcurrency',
          'leaseSeconds',
        ];
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(
          JSON.stringify({ Parameters: names.map((n) => ({ Name: `/p/config/${n}`, Value: value(n) })) }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('a read throttled past the SDK attempts is a TransientError; the next read succeeds', async () => {
    // Prepare: one attempt per call, so each throttled answer reaches the config source.
    const { port } = server.address() as AddressInfo;
    const ssm = new SSMClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const config = new SsmConfigSource(ssm, '/p');
    throttled = 1;
    calls = 0;

    // Act
    const first = await config.tunables().catch((err: unknown) => err);
    const second = await config.tunables();

    // Assess
    expect(first).toBeInstanceOf(TransientError);
    expect((first as Error).message).toBe('SSM throttled: ThrottlingException: Rate exceeded');
    expect(second).toMatchObject({ retryMaxAttempts: 1, volumeConcurrency: 5 });
    expect(calls).toBe(2);
  });
});
