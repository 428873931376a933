import { GetParameterCommand, GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { parseTunables, SsmConfigSource } from '../../lambdas/config';
import { NotFoundError, ValidationError } from '../../lambdas/errors';

const tunables = {
  retryMaxAttempts: '4',
  pollIntervalSeconds: '30',
  pollIterationCap: '500',
  restartLimit: '2',
  relocationLimit: '3',
  lagThresholdSeconds: '60',
  volumeConcurrency: '8',
  leaseSeconds: '900',
};

describe('configuration from SSM', () => {
  const ssm = mockClient(SSMClient);
  beforeEach(() => ssm.reset());

  it('reads every tunable under <prefix>/config/ across pages', async () => {
    // Prepare
    const entries = Object.entries(tunables).map(([k, v]) => ({
      Name: `/svm-migrate/config/${k}`,
      Value: v,
    }));
    ssm
      .on(GetParametersByPathCommand, { Path: '/svm-migrate/config/', NextToken: undefined })
      .resolves({ Parameters: entries.slice(0, 4), NextToken: 'p2' })
      .on(GetParametersByPathCommand, { Path: '/svm-migrate/config/', NextToken: 'p2' })
      .resolves({ Parameters: entries.slice(4) });
    // Act
    const read = await new SsmConfigSource(new SSMClient({}), '/svm-migrate').tunables();
    // Assess
    expect(read.restartLimit).toBe(2);
    expect(read.leaseSeconds).toBe(900);
    expect(ssm.commandCalls(GetParametersByPathCommand)).toHaveLength(2);
  });

  it('names the parameter that is out of range', () => {
    expect(() => parseTunables({ ...tunables, restartLimit: '-1' }, (k) => `/p/config/${k}`)).toThrow(
      expect.objectContaining({ name: 'ValidationError', field: '/p/config/restartLimit' }),
    );
    expect(() => parseTunables({ ...tunables, volumeConcurrency: undefined }, (k) => k)).toThrow(
      /volumeConcurrency must be an integer/,
    );
  });

  it('reads a cluster endpoint and decrypts its credentials, and says which parameter is missing', async () => {
    // Prepare
    ssm
      .on(GetParameterCommand, { Name: '/svm-migrate/clusters/c1/endpoint' })
      .resolves({ Parameter: { Value: 'https://10.0.0.5' } })
      .on(GetParameterCommand, { Name: '/svm-migrate/clusters/c1/credentials', WithDecryption: true })
      .resolves({ Parameter: { Value: '{"username":"admin","password":"s3cret"}' } })
      .on(GetParameterCommand, { Name: '/svm-migrate/clusters/c2/endpoint' })
      .rejects(Object.assign(new Error('not found'), { name: 'ParameterNotFound' }));
    const source = new SsmConfigSource(new SSMClient({}), '/svm-migrate');
    // Act
    const c1 = await source.cluster('c1');
    const c2 = source.cluster('c2');
    // Assess
    expect(c1).toEqual({ name: 'c1', baseUrl: 'https://10.0.0.5', username: 'admin', password: 's3cret' });
    await expect(c2).rejects.toBeInstanceOf(NotFoundError);
    await expect(c2).rejects.toThrow('/svm-migrate/clusters/c2/endpoint is missing');
  });

  it('refuses credentials that are not the documented JSON without echoing them', async () => {
    ssm
      .on(GetParameterCommand, { Name: '/p/clusters/c1/endpoint' })
      .resolves({ Parameter: { Value: 'https://h' } })
      .on(GetParameterCommand, { Name: '/p/clusters/c1/credentials' })
      .resolves({ Parameter: { Value: 'admin:hunter2' } });
    const err = await new SsmConfigSource(new SSMClient({}), '/p').cluster('c1').catch((e: Error) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).not.toContain('hunter2');
  });
});
