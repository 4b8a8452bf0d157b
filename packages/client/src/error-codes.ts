/**
 * The closed set of codes a Ferry error carries, and for each a short phrase a person can
 * read. The code is what an app branches on (or looks up in its own translations); the
 * phrase is what it can show as it is; the error's `message` is for developers and logs,
 * and never needs to reach a screen.
 */
import type { ErrorCode } from '@ferry/protocol';

/** Codes of failures the client finds itself, beside the server's protocol codes. */
export type ClientErrorCode =
  /** No network: `sync()` was called, or a run was cut, while the device was offline. */
  | 'offline'
  /** `requireUnmetered` is set and the only network is metered. */
  | 'metered_network'
  /** `requireBatteryNotLow` is set and the battery is low. */
  | 'low_battery'
  /** A request got no response: the server is down, or the network path to it is. */
  | 'unreachable'
  /** A request was cancelled on purpose (the client closed, a run was cut short). */
  | 'aborted'
  /** A run reached `maxRunDurationMs` without committing anything. */
  | 'timeout'
  /** `getToken` threw or rejected, so nothing was sent. */
  | 'token_unavailable'
  /** A 2xx answer that is not Ferry's protocol: the url points at something else. */
  | 'protocol_mismatch'
  /** The client is set up wrongly (`FerryConfigError`). */
  | 'misconfigured'
  /** A local write was refused before anything changed (`FerryValidationError`). */
  | 'invalid_value'
  /** The client was used after `close()`. */
  | 'closed'
  /** Anything else: a store that failed to commit, a bug. Retried with backoff. */
  | 'unknown';

/**
 * Every code of a Ferry error, the server's protocol codes included. Adapters add codes of
 * their own (`@ferry/browser`'s `storage_full`, say), so a status's `lastError.code` is
 * typed `string`: compare it with these.
 */
export type FerryErrorCode = ErrorCode | ClientErrorCode;

const KEPT = 'changes are kept and will be sent';

const USER_MESSAGES: Record<FerryErrorCode, string> = {
  offline: `You're offline — ${KEPT} when you're back online`,
  metered_network: `Waiting for Wi-Fi — ${KEPT}`,
  low_battery: `Paused to save battery — ${KEPT}`,
  unreachable: `Can't reach the server — ${KEPT}`,
  aborted: 'Sync was interrupted — it will pick up where it stopped',
  timeout: `The server is taking too long to answer — ${KEPT}`,
  token_unavailable: "Couldn't sign in to the server — trying again",
  protocol_mismatch: "The app and the server don't match — try reloading or updating the app",
  misconfigured: "Sync isn't set up correctly in this app",
  invalid_value: "A change couldn't be saved because it isn't valid",
  closed: 'Sync has stopped — reload the app to continue',
  unknown: 'Something went wrong while syncing — trying again',
  invalid_request: 'The server refused a request — the app may need an update',
  unauthorized: 'Your session has expired — sign in again',
  forbidden: "You don't have access to this data",
  not_found: "Can't find the sync server — the app may need an update",
  method_not_allowed: "Can't find the sync server — the app may need an update",
  payload_too_large: 'A change is too large to send',
  unsupported_media_type: 'The server refused a request — the app may need an update',
  rate_limited: 'The server is busy — trying again shortly',
  internal: `The server ran into a problem — ${KEPT}`,
  unavailable: `The server is temporarily unavailable — ${KEPT}`,
};

export const FERRY_ERROR_CODES = Object.keys(USER_MESSAGES) as FerryErrorCode[];

export function isFerryErrorCode(value: unknown): value is FerryErrorCode {
  return typeof value === 'string' && Object.hasOwn(USER_MESSAGES, value);
}

/**
 * The phrase for a person about an error `code`, in English: "Can't reach the server —
 * changes are kept and will be sent". A code this client does not know gets the phrase of
 * `unknown`. An app with its own wording or language maps the codes itself.
 */
export function userMessageFor(code: string): string {
  return isFerryErrorCode(code) ? USER_MESSAGES[code] : USER_MESSAGES.unknown;
}
