// A tiny method + path-template router for the fake. Each resource file registers its routes here;
// anything unmatched answers like OpenAI does for an unknown URL.

import type { IncomingHttpHeaders } from 'node:http';

/** Which of the fake's keys a request carried. `none`: no Authorization header; `unknown`: a key the fake does not know. */
export type AuthUsed = 'admin' | 'project' | 'none' | 'unknown';

/** The `{name}` segments of a path template, each present once the template matched. */
export type PathParams<T extends string> = T extends `${string}{${infer Name}}${infer Rest}`
  ? { [K in Name]: string } & PathParams<Rest>
  : unknown;

export interface RouteRequest<P = Record<string, string>> {
  method: string;
  /** Path after the `/v1` prefix, e.g. `/organization/projects/proj_1`. */
  path: string;
  params: P;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  auth: AuthUsed;
}

export interface RouteResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type Handler<P = Record<string, string>> = (req: RouteRequest<P>) => unknown;

export interface Route {
  method: string;
  /** Template such as `/organization/projects/{project_id}/api_keys`. */
  template: string;
  /** Which key the endpoint requires, as the spec's auth for it. */
  auth: 'admin' | 'project';
  handler: Handler;
  pattern: RegExp;
  names: string[];
}

/** An OpenAI-shaped error; thrown by handlers, turned into `{"error": {...}}` by the server. */
export class FakeHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'invalid_request_error',
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }
  toBody() {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export const notFound = (what: string, id: string) =>
  new FakeHttpError(404, `No such ${what}: '${id}'`, 'invalid_request_error', null, null);

/** A handler result with its own status or headers; any other return value is a 200 JSON body. */
export class Reply implements RouteResponse {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers?: Record<string, string>,
  ) {}
}

export class Router {
  readonly routes: Route[] = [];

  add<T extends string>(method: string, template: T, auth: Route['auth'], handler: Handler<PathParams<T>>): this {
    const names: string[] = [];
    const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    // match() fills params from this template's own names, so every name the handler's type promises is there.
    const untyped = handler as Handler;
    this.routes.push({ method, template, auth, handler: untyped, pattern: new RegExp(`^${source}$`), names });
    return this;
  }

  get<T extends string>(template: T, auth: Route['auth'], handler: Handler<PathParams<T>>) {
    return this.add('GET', template, auth, handler);
  }
  post<T extends string>(template: T, auth: Route['auth'], handler: Handler<PathParams<T>>) {
    return this.add('POST', template, auth, handler);
  }
  delete<T extends string>(template: T, auth: Route['auth'], handler: Handler<PathParams<T>>) {
    return this.add('DELETE', template, auth, handler);
  }

  match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.pattern.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.names.forEach((n, i) => {
        params[n] = decodeURIComponent(m[i + 1]!);
      });
      return { route, params };
    }
    return undefined;
  }
}
