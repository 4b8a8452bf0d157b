/**
 * What a request served on Node (`listen`, `nodeListener`) carries besides the web
 * `Request`: Node's own request and response, which the hottest paths use directly (a
 * request body read without a web stream, an event stream written straight to the
 * socket). Elsewhere both are undefined and the web objects serve.
 */
import type { Readable } from 'node:stream';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context } from 'hono';
import type { NodeResponse } from '../events/stream.ts';

interface NodeBindings {
  incoming?: Readable;
  outgoing?: Partial<NodeResponse>;
  ownsResponse?: boolean;
}

/** Hono's context as Ferry's app types it: the request id is set before any route runs. */
export interface AppEnv {
  Variables: { requestId: string };
}

export function nodeRequestOf(c: Context): Readable | undefined {
  return (c.env as NodeBindings | undefined)?.incoming;
}

/** Node's response, when Ferry was handed it to write itself (see `FetchEnv.ownsResponse`). */
export function nodeResponseOf(c: Context): NodeResponse | undefined {
  const env = c.env as NodeBindings | undefined;
  const outgoing = env?.ownsResponse === true ? env.outgoing : undefined;
  // An HTTP/1 response: HTTP/2's compatibility response lacks what flow control reads.
  return typeof outgoing?.writableNeedDrain === 'boolean' ? (outgoing as NodeResponse) : undefined;
}

/** The answer of a route that wrote Node's response itself: the adapter sends nothing more. */
export function alreadySent(): Response {
  // A copy, since middleware sets headers on it; cloned rather than made anew, because the
  // adapter's own `Response` class (which it installs globally) is answered as a cached body.
  return RESPONSE_ALREADY_SENT.clone();
}
