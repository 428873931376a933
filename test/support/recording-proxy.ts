// A network tap between the ONTAP client and a simulated cluster: it records every request that
// reaches the cluster's address and can hold requests (a closed gate) until the test opens it,
// so a test controls when a call is in flight. Held requests the client abandons are dropped.
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  path: string;
  /** Resolves when the client gave up on the request before it was answered. */
  abandoned: Promise<void>;
}

export interface RecordingProxy {
  url: string;
  requests: ProxiedRequest[];
  /** Holds every request from now on until open() (the first held one resolves `firstHeld`). */
  close(): Promise<ProxiedRequest>;
  open(): void;
  stop(): Promise<void>;
}

/**
 * The tap answers plain HTTP on loopback; it reaches an HTTPS cluster with the cluster's CA
 * (`ca`), so the client's own TLS is not what a test of the tap looks at.
 */
export async function startRecordingProxy(target: string, ca?: string): Promise<RecordingProxy> {
  const requests: ProxiedRequest[] = [];
  let held: (() => void)[] | undefined;
  let onHeld: ((request: ProxiedRequest) => void) | undefined;

  const forward = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void => {
    if (res.destroyed || res.writableEnded) return;
    const url = new URL(req.url ?? '/', target);
    const request = url.protocol === 'https:' ? https.request : http.request;
    const upstream = request(
      url,
      { method: req.method, headers: req.headers, ...(ca && { ca }) },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    upstream.end(body);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let answered = false;
    res.on('finish', () => (answered = true));
    const abandoned = new Promise<void>((resolve) =>
      res.on('close', () => (answered ? undefined : resolve())),
    );
    const request: ProxiedRequest = {
      method: req.method ?? '',
      path: new URL(req.url ?? '/', target).pathname,
      abandoned,
    };
    requests.push(request);
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = () => forward(req, Buffer.concat(chunks), res);
      if (!held) return send();
      held.push(send);
      onHeld?.(request);
      onHeld = undefined;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close() {
      held = [];
      return new Promise((resolve) => (onHeld = resolve));
    },
    open() {
      const waiting = held ?? [];
      held = undefined;
      for (const send of waiting) send();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
