// AWS's own error answers, injected on loopback in front of the real thing: a proxy before
// DynamoDB Local that answers the next N requests with a DynamoDB error (a throttle, or one no
// mapping covers) instead of forwarding them, and the fault queue the SSM endpoint shares. The
// tasks' real SDK clients meet these answers on the wire, retry them as they would against AWS
// and give up the same way; nothing is mocked.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An error as an AWS JSON protocol answers it: its type (the SDK's error name) and HTTP status. */
export interface AwsFault {
  type: string;
  status: number;
  message: string;
}

export const THROTTLED: AwsFault = {
  type: 'ThrottlingException',
  status: 400,
  message: 'Rate of requests exceeds the allowed throughput.',
};
export const ACCESS_DENIED: AwsFault = {
  type: 'AccessDeniedException',
  status: 400,
  message: 'User is not authorized to perform this action',
};

/** The faults still to answer, in order, and how many were answered. */
export class FaultQueue {
  private readonly queue: AwsFault[] = [];
  private answered = 0;

  failNext(count: number, fault: AwsFault): void {
    for (let i = 0; i < count; i++) this.queue.push(fault);
  }

  /** The fault the next request gets, if any. */
  take(): AwsFault | undefined {
    const fault = this.queue.shift();
    if (fault) this.answered++;
    return fault;
  }

  left(): number {
    return this.queue.length;
  }

  done(): number {
    return this.answered;
  }
}

/** Answers `fault` the way an AWS JSON service does (`__type`, the protocol's content type). */
export function answerFault(
  res: http.ServerResponse,
  fault: AwsFault,
  contentType: string,
  typePrefix = '',
): void {
  res.writeHead(fault.status, { 'content-type': contentType, 'x-amzn-requestid': `fault-${Date.now()}` });
  res.end(JSON.stringify({ __type: `${typePrefix}${fault.type}`, message: fault.message }));
}

export interface FaultyDynamoDb {
  /** `http://127.0.0.1:<port>`: the tasks' DynamoDB endpoint. */
  endpoint: string;
  faults: FaultQueue;
  stop(): Promise<void>;
}

/** DynamoDB Local behind a proxy that answers queued faults as DynamoDB would (JSON 1.0). */
export async function startFaultyDynamoDb(target: string): Promise<FaultyDynamoDb> {
  const faults = new FaultQueue();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const fault = faults.take();
      if (fault)
        return answerFault(res, fault, 'application/x-amz-json-1.0', 'com.amazonaws.dynamodb.v20120810#');
      const upstream = http.request(
        new URL(req.url ?? '/', target),
        { method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    faults,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
