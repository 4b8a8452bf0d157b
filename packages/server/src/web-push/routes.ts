/**
 * The Web Push routes: the VAPID public key a browser subscribes with, and storing and
 * removing the user's subscriptions. Endpoints must pass `allowEndpoint` (https only by
 * default): the server will POST to them, so an unchecked URL would let a user make it
 * call internal addresses.
 */
import { FerryError, ROUTES } from '@ferry/protocol';
import type { Hono } from 'hono';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/driver.ts';
import { readJsonBody } from '../http/body.ts';
import type { AppEnv } from '../http/node-env.ts';
import { jsonResponse } from '../http/responses.ts';
import { deleteSubscription, saveSubscription } from '../storage/push-subscriptions.ts';

export interface WebPushRouteContext {
  database: Database;
  publicKey: string;
  allowEndpoint: (endpoint: URL) => boolean;
  maxBodyBytes: number;
  authenticate: (request: Request) => Promise<Principal>;
}

const MAX_ENDPOINT_LENGTH = 2048;

function invalid(message: string): FerryError {
  return new FerryError('invalid_request', message);
}

function base64urlBytes(value: unknown, field: string, length: number): string {
  if (
    typeof value !== 'string' ||
    !/^[A-Za-z0-9_-]+={0,2}$/.test(value) ||
    Buffer.from(value, 'base64url').length !== length
  ) {
    throw invalid(
      `${field} must be ${length} bytes in base64url, as PushSubscription.toJSON() gives`,
    );
  }
  return value;
}

function parseEndpoint(value: unknown, allow: (endpoint: URL) => boolean): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > MAX_ENDPOINT_LENGTH ||
    !URL.canParse(value)
  ) {
    throw invalid(`endpoint must be an absolute URL of at most ${MAX_ENDPOINT_LENGTH} characters`);
  }
  if (!allow(new URL(value))) throw invalid('endpoint is not an accepted push service');
  return value;
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
    const endpoint = parseEndpoint(b.endpoint, ctx.allowEndpoint);
    const keys = body(b.keys);
    await saveSubscription(ctx.database, {
      endpoint,
      userId: principal.userId,
      spaces: principal.spaces,
      p256dh: base64urlBytes(keys.p256dh, 'keys.p256dh', 65),
      auth: base64urlBytes(keys.auth, 'keys.auth', 16),
    });
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
