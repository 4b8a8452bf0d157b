/**
 * The transport: small wrappers around `typeof fetch`, each doing one thing, composed in
 * `client.ts` as `withAuth(withResponseCheck(fetch))`. Keeping them apart lets each be
 * tested alone and lets the live event stream reuse the same stack as push and pull.
 */
import { HEADERS, JSON_CONTENT_TYPE } from '@ferry/protocol';
import {
  FerryConfigError,
  FerryHttpError,
  FerryNetworkError,
  FerryProtocolError,
  FerryTokenError,
  parseErrorBody,
} from './errors.ts';

/** Returns the bearer token; `refresh: true` asks for a new one because the last was refused. */
export type TokenProvider = (context: { refresh: boolean }) => string | Promise<string>;

/** The server's base URL (which may carry a path prefix) followed by a protocol route. */
export function joinUrl(baseUrl: string, route: string): string {
  return baseUrl.replace(/\/+$/, '') + route;
}

function describeRequest(input: RequestInfo | URL, init?: RequestInit) {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
  return { url, method: method.toUpperCase() };
}

/**
 * Parses a `Retry-After` header, given as seconds or as an HTTP date, into whole seconds
 * from now. Anything else is ignored rather than trusted.
 */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  // An HTTP date names its weekday and month; requiring letters keeps `Date.parse` from
  // reading numbers such as "-5" as years.
  const dateMs = /[A-Za-z]/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(dateMs)) return undefined;
  return Math.max(0, Math.ceil((dateMs - nowMs) / 1000));
}

/** Turns a non-2xx response into a `FerryHttpError`, reading the body for its message. */
export async function readHttpError(
  response: Response,
  request: { method: string; url: string },
  nowMs: number,
): Promise<FerryHttpError> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    // The body was cut off; the status alone still says what happened.
  }
  const { code, message } = parseErrorBody(text, response.statusText);
  return new FerryHttpError({
    code,
    status: response.status,
    serverMessage: message,
    method: request.method,
    url: request.url,
    retryAfterSeconds: parseRetryAfter(response.headers.get(HEADERS.retryAfter), nowMs),
  });
}

/**
 * Rejects with `FerryNetworkError` when the request produces no response, and with
 * `FerryHttpError` on a non-2xx status; resolves only with 2xx responses.
 */
export function withResponseCheck(
  fetchFn: typeof fetch,
  options: { now: () => number },
): typeof fetch {
  return async (input, init) => {
    const request = describeRequest(input, init);
    let response: Response;
    try {
      response = await fetchFn(input, init);
    } catch (cause) {
      const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
      throw new FerryNetworkError({ ...request, aborted: signal?.aborted === true, cause });
    }
    if (!response.ok) throw await readHttpError(response, request, options.now());
    return response;
  };
}

function isUnauthorized(outcome: Response | FerryHttpError): boolean {
  return outcome.status === 401;
}

/**
 * Adds `Authorization: Bearer <token>`. On a 401, whether the inner fetch returned it or
 * threw it as a `FerryHttpError`, asks for a fresh token once and retries once; a second
 * 401 is passed on. Concurrent refreshes share one call to `getToken`.
 */
export function withAuth(fetchFn: typeof fetch, getToken: TokenProvider): typeof fetch {
  let refreshing: Promise<string> | undefined;

  const token = async (refresh: boolean): Promise<string> => {
    if (!refresh) return checkToken(await askToken(getToken, false));
    refreshing ??= askToken(getToken, true)
      .then(checkToken)
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  };

  const send = async (
    input: RequestInfo | URL,
    init: RequestInit | undefined,
    refresh: boolean,
  ): Promise<Response | FerryHttpError> => {
    const headers = new Headers(input instanceof Request ? input.headers : undefined);
    for (const [name, value] of new Headers(init?.headers)) headers.set(name, value);
    headers.set(HEADERS.authorization, `Bearer ${await token(refresh)}`);
    try {
      return await fetchFn(input, { ...init, headers });
    } catch (error) {
      if (error instanceof FerryHttpError && isUnauthorized(error)) return error;
      throw error;
    }
  };

  return async (input, init) => {
    // A Request's body can be read once, so the retry needs a copy made before the first try.
    const spare = input instanceof Request ? input.clone() : input;
    const first = await send(input, init, false);
    if (!isUnauthorized(first)) return first as Response;
    if (first instanceof Response) await first.body?.cancel().catch(() => {});
    const second = await send(spare, init, true);
    if (second instanceof FerryHttpError) throw second;
    return second;
  };
}

/**
 * A token provider whose next call after `expire()` asks for a fresh token (`refresh: true`)
 * whatever the caller asked: the server said the token expired or its grants changed, so a
 * token the app cached must not be sent again. Calls made while that refresh is under way
 * share it; once it succeeds, calls go through unchanged again.
 */
export function expirableToken(getToken: TokenProvider): {
  getToken: TokenProvider;
  expire(): void;
} {
  /** Bumped by `expire()`; a refresh asked for before the latest bump does not clear it. */
  let expiredAt = 0;
  let refreshedFor = 0;
  let refreshing: Promise<string> | undefined;
  return {
    getToken(context) {
      if (refreshedFor === expiredAt) return getToken(context);
      const generation = expiredAt;
      refreshing ??= (async () => {
        try {
          const token = await getToken({ refresh: true });
          refreshedFor = Math.max(refreshedFor, generation);
          return token;
        } finally {
          refreshing = undefined;
        }
      })();
      return refreshing;
    },
    expire() {
      expiredAt += 1;
    },
  };
}

/** The provider's answer, with anything it throws wrapped in `FerryTokenError`. */
async function askToken(getToken: TokenProvider, refresh: boolean): Promise<string> {
  try {
    return await getToken({ refresh });
  } catch (error) {
    throw new FerryTokenError(error);
  }
}

function checkToken(token: unknown): string {
  if (typeof token !== 'string' || token === '') {
    throw new FerryConfigError(
      `getToken must return the bearer token as a non-empty string, got ${token === '' ? 'an empty string' : typeof token}.`,
    );
  }
  return token;
}

/**
 * The body's bytes, or a rejection with the signal's reason as soon as it aborts. A fetch
 * implementation may ignore an abort once the headers are in, so a server that never ends
 * a body would otherwise hold the request, and the run waiting on it, for ever.
 */
function readBytes(response: Response, signal: AbortSignal | undefined): Promise<ArrayBuffer> {
  if (signal === undefined) return response.arrayBuffer();
  return new Promise<ArrayBuffer>((resolve, reject) => {
    const onAbort = () => {
      response.body?.cancel(signal.reason).catch(() => {});
      reject(signal.reason);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    response
      .arrayBuffer()
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}

// Bodies are encoded and decoded here rather than by fetch, so their sizes come for free.
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * POSTs `body` as JSON and returns the parsed JSON response. Expects a fetch that already
 * turns failures into typed errors (`withResponseCheck`); still refuses a non-2xx itself.
 * `onBytes` hears the JSON bytes sent and received (before any compression).
 */
export async function postJson(
  fetchFn: typeof fetch,
  url: string,
  body: unknown,
  options: {
    signal?: AbortSignal;
    now: () => number;
    onBytes?: (sent: number, received: number) => void;
  },
): Promise<unknown> {
  const request = { method: 'POST', url };
  const sent = encoder.encode(JSON.stringify(body));
  const init: RequestInit = {
    method: 'POST',
    headers: { [HEADERS.contentType]: JSON_CONTENT_TYPE, accept: JSON_CONTENT_TYPE },
    body: sent,
  };
  if (options.signal !== undefined) init.signal = options.signal;
  const response = await fetchFn(url, init);
  if (!response.ok) throw await readHttpError(response, request, options.now());
  let received: ArrayBuffer;
  try {
    received = await readBytes(response, options.signal);
  } catch (cause) {
    throw new FerryNetworkError({ ...request, aborted: options.signal?.aborted === true, cause });
  }
  options.onBytes?.(sent.byteLength, received.byteLength);
  try {
    return JSON.parse(decoder.decode(received));
  } catch {
    const type = response.headers.get(HEADERS.contentType) ?? 'no content type';
    throw new FerryProtocolError(url, `expected a JSON body, got ${type}`);
  }
}
