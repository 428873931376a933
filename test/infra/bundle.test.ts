// The functions' esbuild bundle as `cdk synth` writes it into the cloud assembly, run the way
// Lambda's Node.js runtime runs it: copied alone into an empty folder (no node_modules up the
// tree, so everything it needs, the AWS SDK included, must be inside it), loaded in a child
// process, a handler called with a real task payload against DynamoDB Local, the simulator and
// an SSM endpoint; an error must come back with its `name`, which Lambda reports as errorType.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { MigrationStore } from '../../lambdas/state/migration-store';
import { TASK_ENV } from '../../lambdas/tasks';
import { buildStack } from '../../local/definition';
import {
  documentClient,
  dynamoDbClient,
  ensureTable,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
} from '../../local/dynamodb-local';
import { type RunningPair, startClusterPair } from '../../sim/pair';
import { ENDPOINT_ENV } from '../support/global-setup';
import { type SsmEndpoint, startSsmEndpoint } from './bundle/ssm-endpoint';

const RUNTIME = path.join(__dirname, 'bundle', 'lambda-runtime.js');
const PREFIX = '/bundle-test';

interface LambdaAnswer {
  result?: unknown;
  errorType?: string;
  errorMessage?: string;
}

describe('the synthesized function bundle, run as Lambda runs it', () => {
  let scratch: string;
  let taskDir: string;
  let handlers: Record<string, string>;
  let clusters: RunningPair;
  let ssm: SsmEndpoint;
  let tableName: string;
  /** What the SSM endpoint serves (a test may change a value). */
  let parameters: Record<string, string>;

  beforeAll(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'svm-'));
    // Prepare: synthesize with bundling, as `cdk synth` does.
    const outdir = path.join(scratch, 'cdk.out');
    const { app, stack } = buildStack({ outdir });
    app.synth();
    const template = Template.fromStack(stack);
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    handlers = Object.fromEntries(
      functions.map((fn) => [fn.Properties.Environment.Variables[TASK_ENV], fn.Properties.Handler]),
    );
    // The cloud assembly holds each asset as asset.<hash>, the object key its Code names.
    const assets = new Set(
      functions.map((fn) => `asset.${(fn.Properties.Code.S3Key as string).replace(/\.zip$/, '')}`),
    );
    // One entry for every task: one bundle.
    expect(assets.size).toBe(1);
    // The task folder alone, where no node_modules can be found above it (Lambda's /var/task).
    taskDir = path.join(scratch, 'task');
    fs.cpSync(path.join(outdir, [...assets][0]), taskDir, { recursive: true });
    expect(fs.readdirSync(taskDir).sort()).toEqual(['index.js', 'index.js.map']);

    clusters = await startClusterPair({ dataDir: path.join(scratch, 'clusters'), demo: true });
    tableName = `svm-bundle-${process.pid}`;
    await ensureTable(dynamoDbClient(process.env[ENDPOINT_ENV] as string), tableName);
    // The tunables as the stack creates them (under its prefix, moved to this test's), and the operator's clusters.
    parameters = {};
    for (const p of Object.values(template.findResources('AWS::SSM::Parameter'))) {
      parameters[(p.Properties.Name as string).replace(/^\/SvmMigrate\//, `${PREFIX}/`)] = p.Properties
        .Value as string;
    }
    expect(Object.keys(parameters)).toContain(`${PREFIX}/config/retryMaxAttempts`);
    for (const c of [clusters.source, clusters.destination]) {
      parameters[`${PREFIX}/clusters/${c.name}/endpoint`] = c.baseUrl;
      parameters[`${PREFIX}/clusters/${c.name}/credentials`] = JSON.stringify({
        username: c.username,
        password: c.password,
        ...(c.ca && { ca: c.ca }),
      });
    }
    ssm = await startSsmEndpoint(parameters);
  }, 240_000);

  afterAll(async () => {
    await ssm?.stop();
    await clusters?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  /** Invokes the task's handler in a child process with only Lambda's environment. */
  function invoke(task: string, event: object): Promise<LambdaAnswer> {
    const resultFile = path.join(scratch, `${task}-${Date.now()}.json`);
    const env = {
      PATH: process.env.PATH,
      // DynamoDB Local's database is the one of this access key and region.
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_LAMBDA_FUNCTION_NAME: `svm-migrate-${task}`,
      AWS_ENDPOINT_URL_DYNAMODB: process.env[ENDPOINT_ENV],
      AWS_ENDPOINT_URL_SSM: ssm.url,
      AWS_ENDPOINT_URL_EVENTBRIDGE: ssm.url,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      [TASK_ENV]: task,
      TABLE_NAME: tableName,
      SVM_MIGRATE_SSM_PREFIX: PREFIX,
      SVM_MIGRATE_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:bundle-test',
      POWERTOOLS_SERVICE_NAME: 'svm-migrate',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    };
    const child = spawn(process.execPath, [RUNTIME, taskDir, handlers[task], resultFile], {
      cwd: taskDir,
      env,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.end(JSON.stringify(event));
    return new Promise((resolve, reject) =>
      child.once('exit', (code) => {
        if (code !== 0 || !fs.existsSync(resultFile))
          reject(new Error(`the bundle exited ${code}: ${stderr}`));
        else resolve(JSON.parse(fs.readFileSync(resultFile, 'utf8')) as LambdaAnswer);
      }),
    );
  }

  const precheckOf = (svm: string) => ({
    input: {
      source: { cluster: clusters.source.name, svm },
      destination: { cluster: clusters.destination.name },
    },
    executionId: 'arn:aws:states:us-east-1:123456789012:execution:bundle-test:precheck',
  });

  it("holds the AWS SDK (the package-lock's, the tests' own), requiring none from the runtime", () => {
    const bundle = fs.readFileSync(path.join(taskDir, 'index.js'), 'utf8');
    // Left out only: the optional CRT signer (SigV4a), which the SDK loads inside a try and which
    // is absent from Lambda's runtime too.
    const required = [...new Set(bundle.match(/require\("@aws-sdk\/[^"]+"\)/g) ?? [])];
    expect(required).toEqual(['require("@aws-sdk/signature-v4-crt")']);
  });

  it('runs Precheck through its bundled SSM client against the simulator', async () => {
    const answer = await invoke('precheck', precheckOf('svm_demo'));
    expect(answer.errorType).toBeUndefined();
    expect(answer.result).toMatchObject({ volumes: expect.any(Array) });
  });

  it('answers a migration unknown to DynamoDB with ConflictError, by name', async () => {
    const answer = await invoke('setup', {
      migrationId: 'no-such-migration',
      executionId: 'arn:aws:states:us-east-1:123456789012:execution:bundle-test:x',
    });
    expect(answer).toEqual({
      errorType: 'ConflictError',
      errorMessage: 'migration no-such-migration does not exist',
    });
  });

  it("runs CheckState and Setup of a real migration against DynamoDB Local and the simulator; a cluster's refusal comes back as AuthenticationError, by name", async () => {
    // Prepare: CheckState begins the migration, as the first state of an execution does.
    const executionId = 'arn:aws:states:us-east-1:123456789012:execution:bundle-test:migrate';
    const begun = await invoke('checkState', {
      ...precheckOf('svm_demo'),
      executionId,
      startTime: new Date().toISOString(),
    });
    expect(begun).toEqual({ result: expect.anything() });
    const { id } = begun.result as { id: string };
    const store = new MigrationStore(documentClient(process.env[ENDPOINT_ENV] as string), tableName);
    expect(await store.get(id)).toMatchObject({
      owner: executionId,
      source: { cluster: clusters.source.name, svm: 'svm_demo' },
    });
    expect(ssm.events.map((e) => e.Source)).toContain('svm-migrate');
    // The destination's password changed since it was configured: the cluster refuses it.
    const credentials = `${PREFIX}/clusters/${clusters.destination.name}/credentials`;
    parameters[credentials] = JSON.stringify({
      username: clusters.destination.username,
      password: 'not-the-password',
      ...(clusters.destination.ca && { ca: clusters.destination.ca }),
    });
    // Act: Setup's payload as the state machine passes it.
    const answer = await invoke('setup', { migrationId: id, executionId, stateName: 'Setup', retryCount: 0 });
    // Assess: the domain error's name survives the bundle (minified class names must not leak).
    expect(answer).toEqual({
      errorType: 'AuthenticationError',
      errorMessage: expect.stringContaining(
        `${clusters.destination.name} refused the configured credentials (HTTP 401)`,
      ),
    });
  });

  it('answers a payload that fails validation with ValidationError, by name', async () => {
    const answer = await invoke('setup', { executionId: 'x' });
    expect(answer.errorType).toBe('ValidationError');
    expect(answer.errorMessage).toContain('migrationId');
  });
});
