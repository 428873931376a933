// A tiny scripted HTTP(S) server for the client's edge cases that the simulator cannot
// produce on demand (a server that never answers, a reset mid-body, TLS, paging).

import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export type FakeHandler = (req: SeenRequest, res: http.ServerResponse) => void;

export interface FakeOntap {
  baseUrl: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

export function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/hal+json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export async function startFakeOntap(
  handler: FakeHandler,
  tls?: { key: string; cert: string },
): Promise<FakeOntap> {
  const seen: SeenRequest[] = [];
  const listener: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const entry = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
      };
      seen.push(entry);
      handler(entry, res);
    });
  };
  const server = tls ? https.createServer(tls, listener) : http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
