// HTTPS as ONTAP serves it: at first start a cluster generates a CA and a server certificate
// signed by it (for localhost / 127.0.0.1) and keeps them in its data directory, so a restart
// serves the same certificate and a client keeps trusting the same CA file.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface TlsMaterial {
  /** The CA certificate (PEM) a client verifies the cluster with. */
  ca: string;
  caFile: string;
  key: string;
  cert: string;
}

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

interface Selfsigned {
  generate(
    attrs: { name: string; value: string }[],
    options: Record<string, unknown>,
  ): Promise<{ private: string; cert: string }>;
}

/** The data dir's TLS material, generated on first use. */
export async function tlsMaterial(dataDir: string, clusterName: string): Promise<TlsMaterial> {
  const dir = path.join(dataDir, 'tls');
  const files = {
    ca: path.join(dir, 'ca.pem'),
    caKey: path.join(dir, 'ca.key'),
    cert: path.join(dir, 'server.pem'),
    key: path.join(dir, 'server.key'),
  };
  if (!Object.values(files).every((f) => fs.existsSync(f))) {
    const { generate } = require('selfsigned') as Selfsigned;
    const notBeforeDate = new Date(Date.now() - 60_000);
    const notAfterDate = new Date(notBeforeDate.getTime() + TEN_YEARS_MS);
    const common = { keyType: 'ec', curve: 'P-256', algorithm: 'sha256', notBeforeDate, notAfterDate };
    const ca = await generate([{ name: 'commonName', value: `svm-migrate simulator CA (${clusterName})` }], {
      ...common,
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      ],
    });
    const server = await generate([{ name: 'commonName', value: 'localhost' }], {
      ...common,
      ca: { key: ca.private, cert: ca.cert },
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
            { type: 7, ip: '::1' },
          ],
        },
      ],
    });
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(files.caKey, ca.private, { mode: 0o600 });
    fs.writeFileSync(files.key, server.private, { mode: 0o600 });
    fs.writeFileSync(files.cert, server.cert);
    // Last: its presence says the set is complete.
    fs.writeFileSync(files.ca, ca.cert);
  }
  return {
    ca: fs.readFileSync(files.ca, 'utf8'),
    caFile: files.ca,
    key: fs.readFileSync(files.key, 'utf8'),
    cert: fs.readFileSync(files.cert, 'utf8'),
  };
}
