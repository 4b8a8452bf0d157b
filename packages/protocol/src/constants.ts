/**
 * Every protocol string and default limit, in one place. Client and server import these;
 * nothing else spells a route, header or event name.
 */

export const PROTOCOL_VERSION = 'v1';
export const BASE_PATH = '/v1';

export const ROUTES = {
  push: '/v1/push',
  pull: '/v1/pull',
  events: '/v1/events',
  devToken: '/v1/dev/token',
  vapidPublicKey: '/v1/push/vapid-public-key',
  pushSubscriptions: '/v1/push/subscriptions',
  /** An addition to v1: a phone's native push token (FCM, APNs), `POST` to register, `DELETE` to remove. */
  devices: '/v1/devices',
  healthz: '/healthz',
  readyz: '/readyz',
  metrics: '/metrics',
} as const;

export const HEADERS = {
  authorization: 'authorization',
  contentType: 'content-type',
  contentEncoding: 'content-encoding',
  acceptEncoding: 'accept-encoding',
  retryAfter: 'retry-after',
  requestId: 'x-request-id',
} as const;

export const JSON_CONTENT_TYPE = 'application/json';
export const SSE_CONTENT_TYPE = 'text/event-stream';

/** Query parameter that carries the token for `EventSource`, which cannot set headers. */
export const ACCESS_TOKEN_PARAM = 'access_token';
/** Query parameter (an addition to v1) narrowing an event stream to some of the token's spaces. */
export const SPACES_PARAM = 'spaces';

export const EVENTS = {
  poke: 'poke',
  /**
   * An addition to v1: the stream's authority ended (`data: {"reason": "token_expired"}` or
   * `"spaces_changed"`), and the server ends the stream after it. The client gets a fresh
   * token and reconnects from its cursor.
   */
  reauthenticate: 'reauthenticate',
} as const;

/**
 * Why a `reauthenticate` event ended a stream. An open set: a client treats a reason it
 * does not know as it treats these, by getting a fresh token and reconnecting.
 */
export const REAUTHENTICATE_REASONS = {
  /** The token's `exp` has passed. */
  tokenExpired: 'token_expired',
  /** A space the stream serves is no longer granted to its user. */
  spacesChanged: 'spaces_changed',
} as const;

export type ReauthenticateReason =
  (typeof REAUTHENTICATE_REASONS)[keyof typeof REAUTHENTICATE_REASONS];

/** Names of spaces and collections. */
export const NAME_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_KEY_LENGTH = 256;

export const DEFAULT_LIMITS = {
  /** Largest request body, after decompression. */
  maxBodyBytes: 4 * 1024 * 1024,
  maxMutationsPerPush: 1000,
  /** Largest single value, as UTF-8 JSON; bigger ones are rejected per mutation (`too_large`). */
  maxValueBytes: 1024 * 1024,
  defaultPullLimit: 1000,
  maxPullLimit: 5000,
} as const;

/** A comment line is sent on every event stream at least this often. */
export const SSE_HEARTBEAT_MS = 25_000;

/**
 * An addition to v1: the comment with which a stream announces, as it opens, how often it
 * sends its heartbeat (`: heartbeat 25000`, in milliseconds), so a client can tell a silent
 * connection from a quiet one in about that time. Other clients ignore it, as every comment.
 */
export const SSE_HEARTBEAT_COMMENT = 'heartbeat';
