/**
 * Jest runs TypeScript through ts-jest; @middy is ESM-only, so it is transformed too.
 * Two projects: the suites that talk to DynamoDB Local get the global setup that starts its JVM
 * (jest skips a project's global setup when none of its tests runs), the others start none.
 */
// The SDK's Node 20 end-of-support notice is for users of the CLI, not for every test worker.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** The folders whose suites use the run's shared DynamoDB Local (test/support/dynamodb.ts). */
const DYNAMODB_SUITES = ['state', 'e2e', 'chaos'];
/** Single suites elsewhere that use it too: the bundle run as Lambda runs it, against DynamoDB Local. */
const DYNAMODB_FILES = ['infra/bundle.test.ts'];

const common = {
  testEnvironment: 'node',
  rootDir: __dirname,
  transform: {
    '^.+\\.[tj]s$': [
      'ts-jest',
      { tsconfig: { allowJs: true, esModuleInterop: true, isolatedModules: true } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@middy)/)'],
};

const inDynamoDbSuite = `<rootDir>/test/(${DYNAMODB_SUITES.join('|')})/`;
const dynamoDbFiles = DYNAMODB_FILES.map((file) => `<rootDir>/test/${file}`);

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'dynamodb',
      roots: ['<rootDir>/test'],
      testMatch: [...DYNAMODB_SUITES.map((dir) => `<rootDir>/test/${dir}/**/*.test.ts`), ...dynamoDbFiles],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      ...common,
      displayName: 'plain',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', inDynamoDbSuite, ...dynamoDbFiles],
    },
  ],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  testTimeout: 60000,
  maxWorkers: process.env.CI ? 2 : '50%',
};
