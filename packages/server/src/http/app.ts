/** The Hono app: request ids, metrics, dev mode's Host check, and the error boundary around the routes. */
import { randomUUID } from 'node:crypto';
import { FerryError, HEADERS, ROUTES } from '@ferry/protocol';
import { Hono } from 'hono';
import type { Logger } from '../logger.ts';
import { checkDevHost } from './dev-hosts.ts';
import type { AppEnv } from './node-env.ts';
import { errorResponse, toFerryError } from './responses.ts';
import { type RouteContext, registerRoutes } from './routes.ts';
import type { StaticFiles } from './static-files.ts';

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * A 503 the server chose to send (a full commit queue, shutting down): load to watch for,
 * not a fault to debug, so it is logged as a warning without a stack. One with a cause (the
 * database unreachable) is an error with it.
 */
function isLoad(error: FerryError): boolean {
  return error.code === 'unavailable' && error.cause === undefined;
}

export function createApp(
  ctx: RouteContext,
  logger: Logger,
  basePath = '',
  staticFiles?: StaticFiles,
): Hono<AppEnv> {
  const app = basePath ? new Hono<AppEnv>().basePath(basePath) : new Hono<AppEnv>();
  // So that error logs can name the request they are about.
  const requestIds = new WeakMap<Request, string>();
  // Filled once the routes are registered: a path that exists answers 405, not 404, to a wrong method.
  const knownPaths = new Set<string>();

  app.use(async (c, next) => {
    const incoming = c.req.header(HEADERS.requestId);
    const requestId = incoming && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
    requestIds.set(c.req.raw, requestId);
    c.set('requestId', requestId);
    const started = performance.now();
    await next();
    c.res.headers.set(HEADERS.requestId, requestId);
    const route =
      c.req.routePath === '/*' || !knownPaths.has(c.req.routePath) ? 'unmatched' : c.req.routePath;
    ctx.metrics.requests.inc({ route, method: c.req.method, status: String(c.res.status) });
    if (!route.endsWith(ROUTES.events))
      ctx.metrics.requestSeconds.observe({ route }, (performance.now() - started) / 1000);
    logger.debug(
      { requestId, method: c.req.method, path: c.req.path, status: c.res.status },
      'request',
    );
  });

  if (ctx.dev) {
    // Before any route, static files included: see dev-hosts.ts.
    app.use(async (c, next) => {
      checkDevHost(c.req.raw, ctx.devAllowedHosts);
      await next();
    });
  }

  registerRoutes(app, ctx);
  for (const route of app.routes) if (route.path !== '/*') knownPaths.add(route.path);

  if (staticFiles) {
    // After the routes, so the API keeps priority; the API's own prefix is never a file.
    const apiPrefix = `${basePath}/v1`;
    app.use('/*', async (c, next) => {
      const path = c.req.path;
      const method = c.req.method;
      if (
        (method !== 'GET' && method !== 'HEAD') ||
        knownPaths.has(path) ||
        path === apiPrefix ||
        path.startsWith(`${apiPrefix}/`)
      )
        return next();
      // The raw (still percent-encoded) path: the handler decodes each segment itself.
      const raw = new URL(c.req.url).pathname;
      return staticFiles(c.req.raw, raw.slice(basePath.length) || '/');
    });
  }

  app.notFound((c) => {
    if (knownPaths.has(c.req.path)) {
      return errorResponse(
        new FerryError('method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}`),
      );
    }
    return errorResponse(new FerryError('not_found', `no route ${c.req.method} ${c.req.path}`));
  });

  app.onError((error, c) => {
    const ferryError = toFerryError(error);
    const fields = {
      requestId: requestIds.get(c.req.raw),
      method: c.req.method,
      path: c.req.path,
      code: ferryError.code,
    };
    if (isLoad(ferryError))
      logger.warn({ ...fields, message: ferryError.message }, 'request refused: server busy');
    else if (ferryError.status >= 500)
      logger.error({ ...fields, err: ferryError.cause ?? error }, 'request failed');
    else logger.debug({ ...fields, message: ferryError.message }, 'request refused');
    return errorResponse(ferryError);
  });

  return app;
}
