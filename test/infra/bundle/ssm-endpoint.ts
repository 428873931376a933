// Parameters served over SSM's own wire protocol (AWS JSON 1.1 on loopback), so a bundled
// function's real SSM client reads them through AWS_ENDPOINT_URL_SSM as it would from SSM.
import * as http from 'http';
import type { AddressInfo } from 'net';

export interface SsmEndpoint {
  url: string;
  stop(): Promise<void>;
}

export async function startSsmEndpoint(parameters: Record<string, string>): Promise<SsmEndpoint> {
  const answer = (target: string, body: { Name?: string; Path?: string }): [number, object] => {
    if (target === 'AmazonSSM.GetParameter') {
      const value = parameters[body.Name ?? ''];
      if (value === undefined) return [400, { __type: 'ParameterNotFound', message: `${body.Name} not found` }];
      return [200, { Parameter: { Name: body.Name, Type: 'String', Value: value, Version: 1 } }];
    }
    if (target === 'AmazonSSM.GetParametersByPath') {
      const found = Object.entries(parameters).filter(([name]) => name.startsWith(body.Path ?? '') && !name.slice((body.Path ?? '').length).includes('/'));
      return [200, { Parameters: found.map(([Name, Value]) => ({ Name, Type: 'String', Value, Version: 1 })) }];
    }
    return [400, { __type: 'InvalidAction', message: `${target} is not served here` }];
  };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const [status, out] = answer(String(req.headers['x-amz-target']), raw ? JSON.parse(raw) : {});
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
