// A loopback TCP proxy in front of a real service (DynamoDB Local) that a test can make reset the
// connections of the next N requests: the real SDK client meets a lost connection, as it would on
// a network hiccup, without a mock anywhere.
import * as net from 'node:net';

export interface FaultyProxy {
  /** `http://127.0.0.1:<port>`: give it to the client instead of the service's endpoint. */
  endpoint: string;
  /** Resets the connection of each of the next `count` requests (a request's first bytes decide). */
  resetNext(count: number): void;
  /** How many of the requested resets are still to happen. */
  resetsLeft(): number;
  /** Forgets the resets not yet done. */
  clear(): void;
  /** How many connections were reset so far. */
  resetsDone(): number;
  close(): Promise<void>;
}

export async function startFaultyProxy(target: string): Promise<FaultyProxy> {
  const { hostname, port } = new URL(target);
  let left = 0;
  let done = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    const forget = () => {
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('data', (chunk) => {
      if (left > 0) {
        left--;
        done++;
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    client.on('close', () => {
      upstream.destroy();
      forget();
    });
    upstream.on('close', () => {
      client.destroy();
      forget();
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    resetNext: (count) => {
      left += count;
    },
    clear: () => {
      left = 0;
    },
    resetsLeft: () => left,
    resetsDone: () => done,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
