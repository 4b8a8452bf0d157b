/**
 * The errors the client throws. Each is a named `Error` subclass whose message says what
 * went wrong and how to fix it, for developers and logs, and which carries a stable `code`
 * and a `userMessage`, a short phrase a person can read (error-codes.ts), so that an app
 * can branch on the code and show the phrase without ever putting the message on screen.
 */
import { ERROR_STATUS, type ErrorCode, isErrorCode } from '@ferry/protocol';
import { type ClientErrorCode, userMessageFor } from './error-codes.ts';
import type { WaitingFor } from './scheduler/environment.ts';

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

/**
 * The code a response without a Ferry error body (a proxy's page, a bare status) stands
 * for: the protocol code of its status, or the nearest one.
 */
export function codeForStatus(status: number): ErrorCode {
  for (const [code, codeStatus] of Object.entries(ERROR_STATUS)) {
    if (codeStatus === status) return code as ErrorCode;
  }
  // A gateway that got no answer (502, 504) or a request timeout: the server is not there.
  if (status === 408 || status === 502 || status === 504) return 'unavailable';
  return status >= 500 ? 'internal' : 'invalid_request';
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
  /**
   * The protocol code of the Ferry error body (`{"error":{code,message}}`), or, for a
   * response without one (a proxy's 502 page), the code its status stands for.
   */
  readonly code: ErrorCode;
  readonly status: number;
  readonly serverMessage: string;
  /** From the `Retry-After` header (seconds), when present. */
  readonly retryAfterSeconds: number | undefined;
  readonly url: string;

  constructor(init: FerryHttpErrorInit) {
    const code = init.code ?? codeForStatus(init.status);
    const hint = HTTP_ERROR_HINTS[code];
    const label = init.code === undefined ? `HTTP ${init.status}` : `${init.status} ${init.code}`;
    const retry =
      init.retryAfterSeconds === undefined ? '' : ` Retry after ${init.retryAfterSeconds} s.`;
    super(
      `${init.method} ${init.url} failed with ${label}: ${init.serverMessage}. ${hint}${retry}`,
    );
    this.code = code;
    this.status = init.status;
    this.serverMessage = init.serverMessage;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.url = init.url;
  }

  /** A phrase for a person, by `code`. */
  get userMessage(): string {
    return userMessageFor(this.code);
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
  /** `unreachable`, or `aborted` for a request cancelled on purpose. */
  readonly code: 'unreachable' | 'aborted';
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
    this.code = init.aborted ? 'aborted' : 'unreachable';
    this.url = init.url;
    this.aborted = init.aborted;
  }

  /** "Can't reach the server — changes are kept and will be sent", or the aborted phrase. */
  get userMessage(): string {
    return userMessageFor(this.code);
  }
}

/**
 * The server answered 2xx with a body that does not follow protocol v1, most often because
 * the url option points at something that is not a Ferry server (an app's HTML page).
 */
export class FerryProtocolError extends Error {
  override readonly name = 'FerryProtocolError';
  readonly code = 'protocol_mismatch';
  readonly userMessage = userMessageFor('protocol_mismatch');

  constructor(url: string, problem: string) {
    super(
      `The response from ${url} does not follow the Ferry v1 protocol: ${problem}. Check that the url option points at a Ferry server of a compatible version.`,
    );
  }
}

/** A local write was refused before anything changed: fix the argument named in the message. */
export class FerryValidationError extends Error {
  override readonly name = 'FerryValidationError';
  readonly code = 'invalid_value';
  readonly userMessage = userMessageFor('invalid_value');
}

/** The client was set up wrongly: fix the option named in the message. */
export class FerryConfigError extends Error {
  override readonly name = 'FerryConfigError';
  readonly code = 'misconfigured';
  readonly userMessage = userMessageFor('misconfigured');
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
  readonly userMessage = userMessageFor('token_unavailable');

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
  readonly code = 'closed';
  readonly userMessage = userMessageFor('closed');

  constructor(what: 'client' | 'store') {
    super(
      what === 'client'
        ? 'This Ferry client is closed; create a new one with createClient() to keep syncing.'
        : 'This store is closed; open a new store (and client) to keep using the data.',
    );
  }
}

/**
 * A run reached its time budget (`schedule.maxRunDurationMs`) without committing anything:
 * the server, or the way to it, is too slow to answer. Retried with backoff.
 */
export class FerryTimeoutError extends Error {
  override readonly name = 'FerryTimeoutError';
  readonly code = 'timeout';
  readonly userMessage = userMessageFor('timeout');

  constructor(budgetMs: number) {
    super(
      `The sync run reached its time budget (schedule.maxRunDurationMs: ${budgetMs} ms) without committing anything: the server or the network to it is too slow to answer. It is retried with backoff; raise maxRunDurationMs if runs are this slow by nature.`,
    );
  }
}

const CONDITION_CODES: Record<WaitingFor, ClientErrorCode> = {
  network: 'offline',
  'unmetered-network': 'metered_network',
  battery: 'low_battery',
};

const CONDITION_MESSAGES: Record<WaitingFor, string> = {
  network: 'the device is offline',
  'unmetered-network': 'the only network is metered and schedule.requireUnmetered is set',
  battery: 'the battery is low and schedule.requireBatteryNotLow is set',
};

/**
 * `sync()` could not run because a run condition is not met (no network, most often), or a
 * run was cut short when one was lost. Nothing is lost: the outbox is kept, and the
 * scheduler syncs by itself as soon as the condition is met again.
 */
export class FerryConditionsError extends Error {
  override readonly name = 'FerryConditionsError';
  /** `offline`, `metered_network` or `low_battery`. */
  readonly code: ClientErrorCode;
  /** The condition the scheduler waits for, as in `status.waitingFor`. */
  readonly waitingFor: WaitingFor;

  constructor(waitingFor: WaitingFor) {
    super(
      `Could not sync now: ${CONDITION_MESSAGES[waitingFor]}. Nothing is lost: local changes stay in the outbox, and the client syncs by itself once the condition is met.`,
    );
    this.code = CONDITION_CODES[waitingFor];
    this.waitingFor = waitingFor;
  }

  /** "You're offline — changes are kept and will be sent when you're back online", … */
  get userMessage(): string {
    return userMessageFor(this.code);
  }
}
