// The simulated cluster serves its API over HTTPS with a CA it generates at first start and
// keeps in its data directory; a client verifies with that CA, and plain HTTP is opt-in.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { simFetch } from '../../sim/fetch';
import { startCluster } from '../../sim/server';
import { ontap, tmpDir } from './helpers';

describe('HTTPS of a simulated cluster', () => {
  it('serves HTTPS with a CA kept in its data dir, refuses clients that do not trust it, and keeps it across a restart', async () => {
    const dataDir = tmpDir();
    const first = await startCluster({ name: 'cluster-tls', dataDir });
    try {
      expect(first.baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(first.caFile).toBe(path.join(dataDir, 'tls', 'ca.pem'));
      expect(fs.readFileSync(first.caFile as string, 'utf8')).toBe(first.ca);
      expect((await ontap(first).get('/api/cluster')).status).toBe(200);
      const untrusted = await simFetch(`${first.baseUrl}/api/cluster`).then(
        () => undefined,
        (err: Error & { cause?: { code?: string } }) => err,
      );
      expect(untrusted?.cause?.code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
    } finally {
      await first.stop();
    }
    const again = await startCluster({ name: 'cluster-tls', dataDir });
    try {
      expect(again.ca).toBe(first.ca);
      expect((await ontap(again).get('/api/cluster')).status).toBe(200);
    } finally {
      await again.stop();
    }
  });

  it('serves plain HTTP only when asked to', async () => {
    const cluster = await startCluster({ name: 'cluster-plain', dataDir: tmpDir(), plainHttp: true });
    try {
      expect(cluster.baseUrl).toMatch(/^http:\/\//);
      expect(cluster.ca).toBeUndefined();
      expect((await ontap(cluster).get('/api/cluster')).status).toBe(200);
    } finally {
      await cluster.stop();
    }
  });
});
