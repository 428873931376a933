// Maps method + path pattern (`/api/storage/volumes/:uuid`) to a handler; a path that matches
// no route is ONTAP's 404, a known path with another method is 405.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ONTAP_ERROR } from '../lambdas/ontap/error-codes';
import { RequestError } from './http';
import { OntapQuery } from './query';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
}
export type Handler = (ctx: RouteContext) => Promise<void> | void;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  on(method: string, path: string, handler: Handler): this {
    const names: string[] = [];
    // `*name` captures the rest of the path (file paths on the data endpoint).
    const source = path
      .split('/')
      .map((part) => {
        if (part.startsWith(':')) {
          names.push(part.slice(1));
          return '([^/]+)';
        }
        if (part.startsWith('*')) {
          names.push(part.slice(1));
          return '(.+)';
        }
        return part.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.routes.push({ method, pattern: new RegExp(`^${source}/?$`), names, handler });
    return this;
  }

  async dispatch(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(url.pathname);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== req.method) continue;
      const params: Record<string, string> = {};
      for (const [i, name] of route.names.entries()) params[name] = decodeURIComponent(m[i + 1]);
      await route.handler({ req, res, params, query: new OntapQuery(url.searchParams, url.pathname) });
      return;
    }
    if (pathMatched)
      throw new RequestError(
        405,
        ONTAP_ERROR.INVALID_VALUE,
        `method ${req.method} not allowed on ${url.pathname}`,
      );
    throw new RequestError(404, ONTAP_ERROR.ENTRY_NOT_FOUND, `API not found: ${url.pathname}`);
  }
}
