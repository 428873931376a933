// cdk-nag's AwsSolutions rules, as bin/app.ts runs them at every synth: no finding is left
// unacknowledged, with or without the VPC placement (which adds its own acknowledgement).
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildStack } from '../../local/definition';

const findings = (context?: Record<string, unknown>): string[] => {
  const { app } = buildStack({ context });
  const report = new AwsSolutionsChecks().validateScope(app);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.ruleName} (${v.severity}) at ${r.constructPath}`),
  );
};

const IN_VPC_WITH_ENDPOINTS = {
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: ['subnet-0aaaaaaaaaaaaaaaa'],
  securityGroupId: 'sg-0123456789abcdef0',
  vpcEndpoints: true,
  routeTableIds: ['rtb-0123456789abcdef0'],
};

describe('cdk-nag AwsSolutions checks', () => {
  it('find nothing unacknowledged in the default stack', () => {
    expect(findings()).toEqual([]);
  });

  it('find nothing unacknowledged when the functions run in a VPC', () => {
    expect(
      findings({
        vpcId: 'vpc-0123456789abcdef0',
        subnetIds: ['subnet-0aaaaaaaaaaaaaaaa'],
        securityGroupId: 'sg-0123456789abcdef0',
      }),
    ).toEqual([]);
  });

  it("find nothing unacknowledged with the stack's own VPC endpoints", () => {
    expect(findings(IN_VPC_WITH_ENDPOINTS)).toEqual([]);
  });

  it('find nothing unacknowledged with a named event bus and an existing alarm topic', () => {
    expect(
      findings({
        eventBusName: 'storage-ops',
        alarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:storage-pager',
      }),
    ).toEqual([]);
  });

  it.each([
    ['the default stack', {}],
    [
      'functions in a VPC',
      {
        vpcId: 'vpc-0123456789abcdef0',
        subnetIds: ['subnet-0aaaaaaaaaaaaaaaa'],
        securityGroupId: 'sg-0123456789abcdef0',
      },
    ],
    ['functions in a VPC with its endpoints', IN_VPC_WITH_ENDPOINTS],
  ])(
    "pass through CDK's Validations API with its template validation, as `cdk synth` runs them: %s",
    (_case, context) => {
      const { app } = buildStack({ context, validateTemplate: true });
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      expect(() => app.synth()).not.toThrow();
    },
  );

  it('fail the synth on an unacknowledged finding (the check is live)', () => {
    const { app, stack } = buildStack();
    const key = stack.node.findAll().find((c) => c.node.path.endsWith('MigrationState/Key'));
    // Remove rotation from the key, which AwsSolutions-KMS5 requires.
    (key!.node.defaultChild as unknown as { enableKeyRotation: boolean }).enableKeyRotation = false;
    expect(new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName)).toEqual([
      'AwsSolutions-KMS5',
    ]);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-KMS5/);
  });
});
