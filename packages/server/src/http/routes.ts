/**
 * The v1 routes. Each handler authenticates, validates the body once with the protocol's
 * parsers, and calls into storage; errors are typed at the app's boundary (app.ts).
 */
import {
  FerryError,
  HEADERS,
  parseDevTokenRequest,
  parsePullRequest,
  parsePushRequest,
  parseSpaceList,
  ROUTES,
  SPACES_PARAM,
} from '@ferry/protocol';
import type { Hono } from 'hono';
import type { JwtAuthenticator } from '../auth/jwt.ts';
import type { Authenticator, Principal } from '../auth/principal.ts';
import type { CommitQueue } from '../commit-queue.ts';
import type { ServerLimits } from '../config.ts';
import type { Database } from '../db/driver.ts';
import type { PokeHub } from '../events/hub.ts';
import { EventStreams } from '../events/stream.ts';
import type { VisibilityGate } from '../events/visibility.ts';
import type { Logger } from '../logger.ts';
import type { ServerMetrics } from '../metrics.ts';
import { type NativePushRouteOptions, registerNativePushRoutes } from '../native-push/routes.ts';
import { readChanges } from '../storage/pull.ts';
import { registerWebPushRoutes, type WebPushRouteOptions } from '../web-push/routes.ts';
import { readJsonBody } from './body.ts';
import { type CompressionMode, compressibleJsonResponse } from './compression.ts';
import type { DevAllowedHosts } from './dev-hosts.ts';
import { type MetricsAccess, metricsHandler } from './metrics-route.ts';
import type { NewClientIds } from './new-client-ids.ts';
import { type AppEnv, alreadySent, nodeResponseOf } from './node-env.ts';
import { pushAndPullBody } from './push-and-pull.ts';
import type { RateLimiter } from './rate-limit.ts';
import { errorResponse, jsonResponse, UNAVAILABLE_RETRY_AFTER_SECONDS } from './responses.ts';

export interface RouteContext {
  database: Database;
  auth: Authenticator;
  /** Present in dev mode: mints tokens for `POST /v1/dev/token`. */
  signToken: JwtAuthenticator['sign'];
  limits: ServerLimits;
  metrics: ServerMetrics;
  hub: PokeHub;
  /** The watermark pulls read up to (events/visibility.ts). */
  visibility: VisibilityGate;
  commitQueue: CommitQueue;
  heartbeatMs: number;
  /** How often an event stream whose spaces can change (`resolveSpaces`) asks for them. */
  spacesRecheckMs: number;
  /** Hears event streams ended because their spaces could not be re-checked. */
  logger: Logger;
  /** When large push and pull answers are compressed for clients that accept it. */
  compression: CompressionMode;
  dev: boolean;
  /** In dev mode, the `Host` names answered. */
  devAllowedHosts: DevAllowedHosts;
  devTokenTtlSeconds: number;
  /** Who may read `/metrics`; `false`: not served. */
  metricsAccess: MetricsAccess;
  registerStream: (close: () => void) => () => void;
  rateLimiter: RateLimiter | undefined;
  /** Per client id, so one runaway device cannot use up its user's whole allowance. */
  clientRateLimiter: RateLimiter | undefined;
  /** How many client ids each user may register per hour; none when unlimited. */
  newClientIds: NewClientIds | undefined;
  /** Web Push, unless disabled. */
  webPush: WebPushRouteOptions | undefined;
  /** Native push's device routes, when `nativePush` is configured. */
  nativePush: NativePushRouteOptions | undefined;
  /** Set once the server starts shutting down: new work is refused with 503. */
  lifecycle: { draining: boolean };
}

/** How long clients are asked to wait before retrying at a server that is shutting down. */
const DRAINING_RETRY_AFTER_SECONDS = 1;

function shuttingDown(): FerryError {
  return new FerryError(
    'unavailable',
    'the server is shutting down; retry (another replica will answer)',
    {
      retryAfterSeconds: DRAINING_RETRY_AFTER_SECONDS,
    },
  );
}

async function authenticate(
  ctx: RouteContext,
  request: Request,
  allowQueryToken = false,
): Promise<Principal> {
  const principal = await ctx.auth.authenticate(request, { allowQueryToken });
  ctx.rateLimiter?.take(principal.userId);
  return principal;
}

/** The spaces a request may read: those it names (all granted), or every granted space. */
function readableSpaces(
  principal: Principal,
  requested: readonly string[] | undefined,
): readonly string[] {
  if (requested === undefined) return principal.spaces;
  const outside = requested.filter((s) => !principal.spaces.includes(s));
  if (outside.length > 0) {
    throw new FerryError('forbidden', `spaces not granted to this user: ${outside.join(', ')}`);
  }
  return requested;
}

function clientOwnedElsewhere(clientId: string): FerryError {
  return new FerryError('forbidden', `clientId "${clientId}" belongs to another user`);
}

/** Runs a push or pull, within the user's allowance of new client ids when there is one. */
function withClientId<T extends { ok: boolean; newClient?: boolean }>(
  ctx: RouteContext,
  userId: string,
  clientId: string,
  request: () => Promise<T>,
): Promise<T> {
  if (!ctx.newClientIds) return request();
  return ctx.newClientIds.admit(userId, clientId, request, (o) => o.ok && o.newClient === true);
}

export function registerRoutes(app: Hono<AppEnv>, ctx: RouteContext): void {
  // While draining, requests already running finish, and new sync work goes elsewhere.
  app.use('/v1/*', async (_c, next) => {
    if (ctx.lifecycle.draining) throw shuttingDown();
    await next();
  });

  app.post(ROUTES.push, async (c) => {
    const principal = await authenticate(ctx, c.req.raw);
    const request = parsePushRequest(await readJsonBody(c, ctx.limits.maxBodyBytes), ctx.limits);
    ctx.clientRateLimiter?.take(request.clientId);
    // A pull the push carries is checked first: a push whose pull is refused applies nothing.
    const pull = request.pull && {
      ...request.pull,
      clientId: request.clientId,
      userId: principal.userId,
      spaces: readableSpaces(principal, request.pull.spaces),
    };
    const outcome = await withClientId(ctx, principal.userId, request.clientId, () =>
      ctx.commitQueue.submit({
        origin: 'client',
        userId: principal.userId,
        spaces: new Set(principal.spaces),
        clientId: request.clientId,
        mutations: request.mutations,
      }),
    );
    if (!outcome.ok) throw outcome.error;
    const pushed = { results: outcome.results, lastMutationId: outcome.lastMutationId };
    if (pull === undefined) return compressibleJsonResponse(c, ctx.compression, pushed);
    const answer = await pushAndPullBody(ctx.database, ctx.visibility, pushed, pull);
    ctx.metrics.pulledChanges.inc(answer.changeCount);
    return compressibleJsonResponse(c, ctx.compression, answer.body);
  });

  app.post(ROUTES.pull, async (c) => {
    const principal = await authenticate(ctx, c.req.raw);
    const request = parsePullRequest(await readJsonBody(c, ctx.limits.maxBodyBytes), ctx.limits);
    ctx.clientRateLimiter?.take(request.clientId);
    const spaces = readableSpaces(principal, request.spaces);
    const outcome = await withClientId(ctx, principal.userId, request.clientId, () =>
      ctx.visibility.current().then((watermark) =>
        readChanges(ctx.database, {
          clientId: request.clientId,
          userId: principal.userId,
          spaces,
          cursor: request.cursor,
          limit: request.limit,
          watermark,
        }),
      ),
    );
    if (!outcome.ok) throw clientOwnedElsewhere(request.clientId);
    ctx.metrics.pulledChanges.inc(outcome.changeCount);
    return compressibleJsonResponse(c, ctx.compression, outcome.body);
  });

  // One set of streams per server: they share a heartbeat timer and the shutdown hook.
  const eventStreams = new EventStreams({
    hub: ctx.hub,
    heartbeatMs: ctx.heartbeatMs,
    onPoke: () => ctx.metrics.pokes.inc(),
    onOpen: () => ctx.metrics.eventStreams.inc(),
    onClose: () => ctx.metrics.eventStreams.dec(),
    register: ctx.registerStream,
    maxStreamsPerUser: ctx.limits.maxEventStreamsPerUser,
    spacesRecheckMs: ctx.spacesRecheckMs,
    onRecheckError: (error, userId) =>
      ctx.logger.warn(
        { err: error, userId },
        'could not re-check the spaces of an event stream; ended it with a retry hint',
      ),
  });
  app.get(ROUTES.events, async (c) => {
    const principal = await authenticate(ctx, c.req.raw, true);
    const param = c.req.query(SPACES_PARAM);
    const requested =
      param === undefined ? undefined : parseSpaceList(param.split(','), SPACES_PARAM);
    const spaces = readableSpaces(principal, requested);
    // On Node the stream writes to Node's response itself, and ends when its connection
    // closes. Elsewhere no request signal: cancelling the response body (the client went
    // away) ends the stream, and reading the signal would allocate an AbortController.
    const outgoing = nodeResponseOf(c);
    // The stream ends when the principal's token expires or one of its spaces is withdrawn.
    if (!outgoing) return eventStreams.open(spaces, undefined, principal);
    const headers = { [HEADERS.requestId]: c.get('requestId') };
    eventStreams.openOnNode(spaces, outgoing, headers, principal);
    return alreadySent();
  });

  const { signToken } = ctx;
  if (ctx.dev && signToken) {
    app.post(ROUTES.devToken, async (c) => {
      const request = parseDevTokenRequest(await readJsonBody(c, ctx.limits.maxBodyBytes));
      const token = await signToken(
        request.spaces
          ? { userId: request.user, spaces: request.spaces }
          : { userId: request.user },
        ctx.devTokenTtlSeconds,
      );
      return jsonResponse({ token });
    });
  }

  if (ctx.webPush) {
    registerWebPushRoutes(app, {
      ...ctx.webPush,
      database: ctx.database,
      maxBodyBytes: ctx.limits.maxBodyBytes,
      authenticate: (request) => authenticate(ctx, request),
    });
  }

  if (ctx.nativePush) {
    registerNativePushRoutes(app, {
      ...ctx.nativePush,
      database: ctx.database,
      maxBodyBytes: ctx.limits.maxBodyBytes,
      authenticate: (request) => authenticate(ctx, request),
    });
  }

  app.get(ROUTES.healthz, () => jsonResponse({ status: 'ok' }));

  app.get(ROUTES.readyz, async () => {
    if (ctx.lifecycle.draining) return errorResponse(shuttingDown());
    try {
      await ctx.database.query('SELECT 1');
      return jsonResponse({ status: 'ready' });
    } catch {
      return jsonResponse(
        {
          status: 'unavailable',
          error: { code: 'unavailable', message: 'the database does not answer' },
        },
        503,
        { [HEADERS.retryAfter]: String(UNAVAILABLE_RETRY_AFTER_SECONDS) },
      );
    }
  });

  if (ctx.metricsAccess !== false) {
    const metrics = metricsHandler(ctx.metrics.registry, ctx.metricsAccess);
    app.get(ROUTES.metrics, (c) => metrics(c.req.raw));
  }
}
