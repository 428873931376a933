// Where tasks read their tunables and the clusters' connections: SSM Parameter Store on
// AWS (`<prefix>/config/<name>`, `<prefix>/clusters/<name>/{endpoint,credentials}`), a
// fixed set locally. Values are checked here so a bad parameter names itself.
import { GetParameterCommand, GetParametersByPathCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { mapAwsErrors } from './aws-errors';
import { NotFoundError, ValidationError } from './errors';
import { TUNABLE_LIMITS, type Tunables } from './tunables';

export { TUNABLE_LIMITS, type Tunables } from './tunables';

export interface ClusterConnection {
  name: string;
  baseUrl: string;
  username: string;
  password: string;
  /** PEM bundle of the CA that signed the cluster's certificate. */
  ca?: string;
}

export interface ConfigSource {
  tunables(): Promise<Tunables>;
  cluster(name: string): Promise<ClusterConnection>;
}

/** Checks raw values (strings from SSM, or numbers) against the limits; names the bad key. */
export function parseTunables(raw: Record<string, unknown>, where: (key: string) => string): Tunables {
  const out = {} as Tunables;
  for (const key of Object.keys(TUNABLE_LIMITS) as (keyof Tunables)[]) {
    const value = raw[key];
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && value.trim() !== ''
          ? Number(value)
          : NaN;
    const { min, max } = TUNABLE_LIMITS[key];
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new ValidationError(
        `${where(key)} must be an integer from ${min} to ${max} (got ${JSON.stringify(value ?? null)})`,
        {
          field: where(key),
        },
      );
    }
    out[key] = n;
  }
  return out;
}

export function parseCredentials(
  raw: string,
  where: string,
): { username: string; password: string; ca?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ValidationError(`${where} must be JSON {"username","password"}`, { field: where });
  }
  const c = parsed as Record<string, unknown>;
  if (typeof c?.username !== 'string' || c.username === '')
    throw new ValidationError(`${where}: username is required`, { field: `${where}.username` });
  if (typeof c.password !== 'string' || c.password === '')
    throw new ValidationError(`${where}: password is required`, { field: `${where}.password` });
  if (c.ca !== undefined && typeof c.ca !== 'string')
    throw new ValidationError(`${where}: ca must be a PEM string`, { field: `${where}.ca` });
  return { username: c.username, password: c.password, ...(typeof c.ca === 'string' && { ca: c.ca }) };
}

export class StaticConfigSource implements ConfigSource {
  constructor(
    private readonly values: Tunables,
    private readonly clusters: Record<string, ClusterConnection>,
  ) {}

  async tunables(): Promise<Tunables> {
    return this.values;
  }

  async cluster(name: string): Promise<ClusterConnection> {
    const found = this.clusters[name];
    if (!found)
      throw new NotFoundError(`cluster ${JSON.stringify(name)} is not configured`, { field: 'cluster' });
    return found;
  }
}

/** Reads SSM once per container and keeps the values for `ttlMs` (warm invocations reuse them). */
export class SsmConfigSource implements ConfigSource {
  private cachedTunables?: { at: number; value: Tunables };
  private readonly cachedClusters = new Map<string, { at: number; value: ClusterConnection }>();

  constructor(
    private readonly ssm: SSMClient,
    private readonly prefix: string,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    mapAwsErrors(ssm, 'SSM');
  }

  async tunables(): Promise<Tunables> {
    if (this.cachedTunables && this.now() - this.cachedTunables.at < this.ttlMs)
      return this.cachedTunables.value;
    const path = `${this.prefix}/config/`;
    const raw: Record<string, string> = {};
    let token: string | undefined;
    do {
      const page = await this.ssm.send(new GetParametersByPathCommand({ Path: path, NextToken: token }));
      for (const p of page.Parameters ?? [])
        if (p.Name && p.Value !== undefined) raw[p.Name.slice(path.length)] = p.Value;
      token = page.NextToken;
    } while (token);
    const value = parseTunables(raw, (key) => `${path}${key}`);
    this.cachedTunables = { at: this.now(), value };
    return value;
  }

  async cluster(name: string): Promise<ClusterConnection> {
    const hit = this.cachedClusters.get(name);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value;
    const base = `${this.prefix}/clusters/${name}`;
    const endpoint = await this.parameter(`${base}/endpoint`, false);
    try {
      new URL(endpoint);
    } catch {
      throw new ValidationError(`${base}/endpoint must be a URL such as https://10.0.0.5`, {
        field: `${base}/endpoint`,
      });
    }
    const credentials = parseCredentials(
      await this.parameter(`${base}/credentials`, true),
      `${base}/credentials`,
    );
    const value: ClusterConnection = { name, baseUrl: endpoint, ...credentials };
    this.cachedClusters.set(name, { at: this.now(), value });
    return value;
  }

  private async parameter(name: string, decrypt: boolean): Promise<string> {
    try {
      const out = await this.ssm.send(new GetParameterCommand({ Name: name, WithDecryption: decrypt }));
      if (out.Parameter?.Value === undefined)
        throw new ValidationError(`SSM parameter ${name} is empty`, { field: name });
      return out.Parameter.Value;
    } catch (err) {
      if ((err as Error).name === 'ParameterNotFound') {
        throw new NotFoundError(`SSM parameter ${name} is missing: the cluster is not configured`, {
          field: name,
          cause: err,
        });
      }
      throw err;
    }
  }
}
