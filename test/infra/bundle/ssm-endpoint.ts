// Parameters served over SSM's own wire protocol (AWS JSON 1.1 on loopback), so a real SSM client
// (a bundled function's, or a task's in the end-to-end tests) reads them through an endpoint
// override as it would from SSM; queued faults (a throttle) are answered as SSM answers them.
// It takes EventBridge's PutEvents too (the same protocol), keeping the events put.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerFault, FaultQueue } from '../../e2e/aws-faults';

export interface SsmEndpoint {
  url: string;
  /** Answered, in order, instead of the next requests. */
  faults: FaultQueue;
  /** The actions asked for, in order (faulted ones too). */
  requests: string[];
  /** The entries EventBridge's PutEvents was given. */
  events: { Source?: string; DetailType?: string; Detail?: string; EventBusName?: string }[];
  stop(): Promise<void>;
}

export async function startSsmEndpoint(parameters: Record<string, string>): Promise<SsmEndpoint> {
  const faults = new FaultQueue();
  const requests: string[] = [];
  const events: SsmEndpoint['events'] = [];
  const answer = (
    target: string,
    body: { Name?: string; Path?: string; Entries?: SsmEndpoint['events'] },
  ): [number, object] => {
    if (target === 'AWSEvents.PutEvents') {
      events.push(...(body.Entries ?? []));
      return [
        200,
        {
          FailedEntryCount: 0,
          Entries: (body.Entries ?? []).map((_, i) => ({ EventId: `event-${events.length + i}` })),
        },
      ];
    }
    if (target === 'AmazonSSM.GetParameter') {
      const value = parameters[body.Name ?? ''];
      if (value === undefined)
        return [400, { __type: 'ParameterNotFound', message: `${body.Name} not found` }];
      return [200, { Parameter: { Name: body.Name, Type: 'String', Value: value, Version: 1 } }];
    }
    if (target === 'AmazonSSM.GetParametersByPath') {
      const found = Object.entries(parameters).filter(
        ([name]) => name.startsWith(body.Path ?? '') && !name.slice((body.Path ?? '').length).includes('/'),
      );
      return [
        200,
        { Parameters: found.map(([Name, Value]) => ({ Name, Type: 'String', Value, Version: 1 })) },
      ];
    }
    return [400, { __type: 'InvalidAction', message: `${target} is not served here` }];
  };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target']);
      requests.push(target);
      const fault = faults.take();
      if (fault) return answerFault(res, fault, 'application/x-amz-json-1.1');
      const [status, out] = answer(target, raw ? JSON.parse(raw) : {});
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    faults,
    requests,
    events,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
