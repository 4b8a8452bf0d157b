/**
 * The Web Push routes: the VAPID public key a browser subscribes with, and storing and
 * removing the user's subscriptions. The server will POST to a stored endpoint, so it is
 * checked here first (endpoints.ts: https, the accepted push services, public addresses
 * only) along with the keys (keys.ts), and each user keeps at most
 * `maxSubscriptionsPerUser`, the least recently subscribed making way for a new one.
 */
import { FerryError, ROUTES } from '@ferry/protocol';
import type { Hono } from 'hono';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/driver.ts';
import { readJsonBody } from '../http/body.ts';
import type { AppEnv } from '../http/node-env.ts';
import { jsonResponse } from '../http/responses.ts';
import { deleteSubscription, saveSubscription } from '../storage/push-subscriptions.ts';
import { type EndpointPolicy, EndpointRefusedError, EndpointUnresolvedError } from './endpoints.ts';
import { authProblem, p256dhProblem } from './keys.ts';

/** What the routes need from the resolved `webPush` options. */
export interface WebPushRouteOptions {
  publicKey: string;
  endpoints: EndpointPolicy;
  maxSubscriptionsPerUser: number;
}

export interface WebPushRouteContext extends WebPushRouteOptions {
  database: Database;
  maxBodyBytes: number;
  authenticate: (request: Request) => Promise<Principal>;
}

const MAX_ENDPOINT_LENGTH = 2048;
/** How long a client is asked to wait when the endpoint's host could not be resolved for now. */
const DNS_RETRY_AFTER_SECONDS = 5;

function invalid(message: string): FerryError {
  return new FerryError('invalid_request', message);
}

function parseEndpoint(value: unknown, endpoints: EndpointPolicy): URL {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > MAX_ENDPOINT_LENGTH ||
    !URL.canParse(value)
  ) {
    throw invalid(`endpoint must be an absolute URL of at most ${MAX_ENDPOINT_LENGTH} characters`);
  }
  const endpoint = new URL(value);
  const refusal = endpoints.refusal(endpoint);
  if (refusal !== undefined) throw invalid(refusal);
  return endpoint;
}

/** Resolves the endpoint's host: 400 when it is not public or does not exist, 503 when DNS fails. */
async function checkAddresses(endpoint: URL, endpoints: EndpointPolicy): Promise<void> {
  try {
    await endpoints.checkAddresses(endpoint);
  } catch (error) {
    if (error instanceof EndpointRefusedError || error instanceof EndpointUnresolvedError)
      throw invalid(error.message);
    throw new FerryError(
      'unavailable',
      `the endpoint's host ${endpoint.hostname} could not be resolved just now; retry later`,
      { retryAfterSeconds: DNS_RETRY_AFTER_SECONDS, cause: error },
    );
  }
}

function keyOf(value: unknown, problem: (value: unknown) => string | undefined): string {
  const found = problem(value);
  if (found !== undefined) throw invalid(found);
  return value as string;
}

function body(raw: unknown): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw invalid('body: must be a JSON object');
  return raw as Record<string, unknown>;
}

export function registerWebPushRoutes(app: Hono<AppEnv>, ctx: WebPushRouteContext): void {
  app.get(ROUTES.vapidPublicKey, () => jsonResponse({ key: ctx.publicKey }));

  app.post(ROUTES.pushSubscriptions, async (c) => {
    const principal = await ctx.authenticate(c.req.raw);
    const b = body(await readJsonBody(c, ctx.maxBodyBytes));
    const endpoint = parseEndpoint(b.endpoint, ctx.endpoints);
    const keys = body(b.keys);
    const p256dh = keyOf(keys.p256dh, p256dhProblem);
    const auth = keyOf(keys.auth, authProblem);
    // Last, as the only check that waits on the network.
    await checkAddresses(endpoint, ctx.endpoints);
    await saveSubscription(
      ctx.database,
      // Kept as the browser gave it, so deleting with the same string finds it; the sender
      // parses and checks it again before every message.
      {
        endpoint: b.endpoint as string,
        userId: principal.userId,
        spaces: principal.spaces,
        p256dh,
        auth,
      },
      ctx.maxSubscriptionsPerUser,
    );
    return jsonResponse({}, 201);
  });

  app.delete(ROUTES.pushSubscriptions, async (c) => {
    const principal = await ctx.authenticate(c.req.raw);
    const b = body(await readJsonBody(c, ctx.maxBodyBytes));
    if (typeof b.endpoint !== 'string') throw invalid('endpoint must be a string');
    // Only the user's own subscription; deleting one that is not there is not an error.
    await deleteSubscription(ctx.database, b.endpoint, principal.userId);
    return new Response(null, { status: 204 });
  });
}
