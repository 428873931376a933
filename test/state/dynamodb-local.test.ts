// The local runner keeps its migrate state in a folder across runs; this is the jar doing so.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MigrationStore } from '../../lambdas/state/migration-store';
import { documentClient, dynamoDbClient, ensureTable, startDynamoDbLocal } from '../../local/dynamodb-local';
import { beginInput } from './fixtures';

describe('startDynamoDbLocal with a data folder', () => {
  it('keeps the table and its items across a stop and a start on a new port', async () => {
    // Prepare
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'svm-'));
    const first = await startDynamoDbLocal({ dataDir });
    const admin = dynamoDbClient(first.endpoint);
    await ensureTable(admin, 'migrations');
    admin.destroy();
    const writer = documentClient(first.endpoint);
    const begun = await new MigrationStore(writer, 'migrations').begin(beginInput());
    writer.destroy();
    await first.stop();

    // Act
    const second = await startDynamoDbLocal({ dataDir });
    const reader = documentClient(second.endpoint);
    const secondAdmin = dynamoDbClient(second.endpoint);
    try {
      await ensureTable(secondAdmin, 'migrations');
      const found = await new MigrationStore(reader, 'migrations').findActiveForSvm('source', 'svm_demo');

      // Assess
      expect(second.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(found).toEqual(begun);
    } finally {
      reader.destroy();
      secondAdmin.destroy();
      await second.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
