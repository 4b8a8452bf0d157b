/**
 * The errors the client throws. Each is a named `Error` subclass whose message says what
 * went wrong and how to fix it, so that an app can both branch on the class and show or
 * log the message as it is.
 */
import { ERROR_STATUS, type ErrorCode, isErrorCode } from '@ferry/protocol';

/** What to do about each request-level error code, appended to the server's own message. */
const HTTP_ERROR_HINTS: Record<ErrorCode, string> = {
  invalid_request:
    'The server refused the request as malformed; this is a bug in the client or a server speaking another protocol version.',
  unauthorized:
    'Check that getToken returns a current token signed with the secret the server is configured with (FERRY_JWT_SECRET).',
  forbidden:
    'The token does not grant this space, or the client id belongs to another user: request only spaces the token grants, and do not share one store between users.',
  not_found:
    'Check that the url option points at the Ferry server, including any path prefix it is mounted under (e.g. https://app.example/sync).',
  method_not_allowed:
    'Check that the url option points at the Ferry server and not at another application.',
  payload_too_large:
    'Lower the pushBatchSize option, or raise the server body limit; a single oversized value is rejected on its own instead.',
  unsupported_media_type:
    'The server expected a JSON body; check that no proxy rewrites requests between client and server.',
  rate_limited: 'The server is rate limiting this client; sync again after the retry delay.',
  internal: 'The server failed; its logs have the cause. Sync again later.',
  unavailable:
    'The server or its database is unavailable or draining; sync again after the retry delay.',
};

/** The status an unknown code-less response most likely meant, to pick a hint. */
function codeForStatus(status: number): ErrorCode | undefined {
  for (const [code, codeStatus] of Object.entries(ERROR_STATUS)) {
    if (codeStatus === status) return code as ErrorCode;
  }
  return undefined;
}

export interface FerryHttpErrorInit {
  /** The protocol error code from the response body; undefined when the body had none. */
  code: ErrorCode | undefined;
  status: number;
  /** The server's own message, or a short excerpt of a body that was not a Ferry error. */
  serverMessage: string;
  method: string;
  url: string;
  retryAfterSeconds?: number | undefined;
}

/** The server answered with a non-2xx status. */
export class FerryHttpError extends Error {
  override readonly name = 'FerryHttpError';
  /** The protocol code, when the body was a Ferry error body (`{"error":{code,message}}`). */
  readonly code: ErrorCode | undefined;
  readonly status: number;
  readonly serverMessage: string;
  /** From the `Retry-After` header (seconds), when present. */
  readonly retryAfterSeconds: number | undefined;
  readonly url: string;

  constructor(init: FerryHttpErrorInit) {
    const hint = HTTP_ERROR_HINTS[init.code ?? codeForStatus(init.status) ?? 'internal'];
    const label = init.code === undefined ? `HTTP ${init.status}` : `${init.status} ${init.code}`;
    const retry =
      init.retryAfterSeconds === undefined ? '' : ` Retry after ${init.retryAfterSeconds} s.`;
    super(
      `${init.method} ${init.url} failed with ${label}: ${init.serverMessage}. ${hint}${retry}`,
    );
    this.code = init.code;
    this.status = init.status;
    this.serverMessage = init.serverMessage;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.url = init.url;
  }

  /** True for failures that may succeed if the same request is sent again later. */
  get retryable(): boolean {
    return this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

const MAX_BODY_EXCERPT = 200;

/**
 * Reads a protocol error body. A body that is not one (a proxy's HTML page, plain text,
 * nothing at all) still yields a message: a short excerpt of it, or the status text.
 */
export function parseErrorBody(
  text: string,
  statusText: string,
): { code: ErrorCode | undefined; message: string } {
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === 'object' && body !== null && 'error' in body) {
      const error: unknown = body.error;
      if (typeof error === 'object' && error !== null) {
        const code = 'code' in error && isErrorCode(error.code) ? error.code : undefined;
        const message =
          'message' in error && typeof error.message === 'string' ? error.message : undefined;
        if (code !== undefined || message !== undefined) {
          return { code, message: message ?? statusText };
        }
      }
    }
  } catch {
    // Not JSON: fall through to an excerpt of the text.
  }
  const excerpt = text.trim().replace(/\s+/g, ' ').slice(0, MAX_BODY_EXCERPT);
  const fallback = statusText || 'no error body';
  return { code: undefined, message: excerpt === '' ? fallback : `${fallback}: ${excerpt}` };
}

/** The request never produced a response: the network failed, or it was aborted. */
export class FerryNetworkError extends Error {
  override readonly name = 'FerryNetworkError';
  readonly url: string;
  /** True when the request was cancelled on purpose (client closed, live stream stopped). */
  readonly aborted: boolean;

  constructor(init: { method: string; url: string; aborted: boolean; cause: unknown }) {
    const reason = init.cause instanceof Error ? init.cause.message : String(init.cause);
    super(
      init.aborted
        ? `${init.method} ${init.url} was aborted (${reason}); nothing is lost, the next sync resumes from the saved state.`
        : `Could not reach the Ferry server: ${init.method} ${init.url} failed (${reason}). Check the url option and the network; the next sync resumes from the saved state.`,
      { cause: init.cause },
    );
    this.url = init.url;
    this.aborted = init.aborted;
  }
}

/**
 * The server answered 2xx with a body that does not follow protocol v1, most often because
 * the url option points at something that is not a Ferry server (an app's HTML page).
 */
export class FerryProtocolError extends Error {
  override readonly name = 'FerryProtocolError';

  constructor(url: string, problem: string) {
    super(
      `The response from ${url} does not follow the Ferry v1 protocol: ${problem}. Check that the url option points at a Ferry server of a compatible version.`,
    );
  }
}

/** A local write was refused before anything changed: fix the argument named in the message. */
export class FerryValidationError extends Error {
  override readonly name = 'FerryValidationError';
}

/** The client was set up wrongly: fix the option named in the message. */
export class FerryConfigError extends Error {
  override readonly name = 'FerryConfigError';
}

/**
 * `getToken` threw or rejected, so no request could be sent. The provider's own error is
 * the `cause`. Retried with backoff like a network failure, since most token providers
 * fail for passing reasons (an identity server that is down, a refresh racing a logout).
 */
export class FerryTokenError extends Error {
  override readonly name = 'FerryTokenError';
  /** Shown as `status.lastError.code`. */
  readonly code = 'token_unavailable';

  constructor(cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `getToken failed, so no request was sent: ${reason}. Check the token provider given as getToken; the sync is retried with backoff.`,
      { cause },
    );
  }
}

/** The client or store was used after `close()`. */
export class FerryClosedError extends Error {
  override readonly name = 'FerryClosedError';

  constructor(what: 'client' | 'store') {
    super(
      what === 'client'
        ? 'This Ferry client is closed; create a new one with createClient() to keep syncing.'
        : 'This store is closed; open a new store (and client) to keep using the data.',
    );
  }
}
