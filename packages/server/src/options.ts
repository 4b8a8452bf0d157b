/** What `createFerryServer` takes and returns. */
import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import type { Readable } from 'node:stream';
import type { AfterCommitOptions } from './after-commit.ts';
import type { JwtAuthOptions } from './auth/jwt.ts';
import type { Authenticator } from './auth/principal.ts';
import type { ServerLimits } from './config.ts';
import type { Database } from './db/driver.ts';
import type { CompressionMode } from './http/compression.ts';
import type { DevAllowedHosts } from './http/dev-hosts.ts';
import type { MetricsAccess } from './http/metrics-route.ts';
import type { RateLimitOptions } from './http/rate-limit.ts';
import type { Logger } from './logger.ts';
import type { ServerMetrics } from './metrics.ts';
import type { NativePushOptions } from './native-push/options.ts';
import type { CollectionSchemas, Rules } from './rules.ts';
import type { ServerWrite, ServerWriteOptions, ServerWriteResult } from './server-writes.ts';
import type { CompactionResult } from './storage/compaction.ts';
import type { WebPushOptions } from './web-push/options.ts';

export interface FerryServerOptions {
  /** Where data lives: `createPostgresDatabase(…)` or `await createPGliteDatabase(…)`. Not closed by the server. */
  database: Database;
  /**
   * Who is calling: JWT options (`{ secret }`, `{ publicKey, algorithms }` or
   * `{ jwksUrl }`, with optional `resolveSpaces`), or any `Authenticator`, e.g.
   * `customAuth(request => …)` for session cookies. Give this or `jwtSecret`.
   */
  auth?: JwtAuthOptions | Authenticator;
  /**
   * Shorthand for `auth: { secret }`: HS256 with a random secret of at least 32 bytes (at
   * least 10 different characters and an estimated 128 bits; `openssl rand -base64 48`).
   */
  jwtSecret?: string;
  /**
   * A Standard Schema (zod, valibot, …) per collection. Values that fail are rejected per
   * mutation with code `invalid` and a message naming the field; collections not listed
   * are refused. Omitted: any collection, any JSON object.
   */
  collections?: CollectionSchemas;
  /** `beforeWrite` inside the write's transaction; `afterCommit` after it, at least once. */
  rules?: Rules;
  /** Timing of `afterCommit` deliveries (poll interval, lease, retry backoff). */
  afterCommitDelivery?: Pick<AfterCommitOptions, 'pollMs' | 'leaseMs' | 'retryMs' | 'maxRetryMs'>;
  /**
   * Enables `POST /v1/dev/token`, which mints tokens for anyone (needs an HS256 secret), and
   * answers only requests addressed to this machine (see `devAllowedHosts`). Never in production.
   */
  dev?: boolean;
  /**
   * In dev mode, the `Host` names answered (others get 403, so no web page reaches the
   * server through DNS rebinding): `'loopback'` (default) — localhost, *.localhost,
   * 127.0.0.0/8 and [::1]; `'loopback-or-ip'` — also any IP address, for other devices on
   * the developer's network.
   */
  devAllowedHosts?: DevAllowedHosts;
  limits?: Partial<ServerLimits>;
  /** Interval of `: ping` comments on event streams; default 25 000. */
  heartbeatMs?: number;
  /**
   * How often an open event stream whose user's spaces can change (JWT `resolveSpaces`, or a
   * principal with `currentSpaces`) asks for them again, through the spaces cache; once a
   * space it serves is no longer granted, it ends after a `reauthenticate` event. Default
   * 60 000. (Every stream also ends at its token's `exp`.)
   */
  spacesRecheckMs?: number;
  /**
   * Compress push and pull answers over 1 KiB (brotli or gzip, as the client accepts).
   * `'auto'` (default): for every client except those on this machine or a private network
   * (loopback, RFC 1918, link-local, IPv6 unique-local; a request through a reverse proxy
   * there counts as from the first `X-Forwarded-For` address), where compressing costs more
   * time than the bytes it saves. `true`: for every client; `false`: never, e.g. behind a
   * proxy that compresses.
   */
  compression?: CompressionMode;
  /** Lifetime of dev-mode tokens; default a day, and never beyond the auth's `maxTokenLifetimeSeconds`. */
  devTokenTtlSeconds?: number;
  logger?: Logger;
  /**
   * Who may read `GET /metrics`: `'public'` (default) anyone; `{ token }` only requests with
   * `Authorization: Bearer <token>` (others get 401; a random token, checked like a secret);
   * `false` nobody (404), when the app serves `metrics.registry` elsewhere. The metrics show
   * open files, the Node version and write counts: keep them off the internet.
   */
  metrics?: MetricsAccess;
  /** Per-user request rate limit (429 beyond it); default none. */
  rateLimit?: RateLimitOptions;
  /** Per-client-id request rate limit for push and pull (429 beyond it); default none. */
  clientRateLimit?: RateLimitOptions;
  /**
   * Path prefix the handler is mounted under, e.g. `/sync` to serve `/sync/v1/push`; the
   * client's `url` then ends with it. Default: none.
   */
  basePath?: string;
  /** How long a rejection is remembered for resends after a lost response; default 30 days. */
  rejectionRetentionMs?: number;
  /**
   * How long deletes are kept as tombstones before compaction removes them; clients whose
   * cursor is older then get a fresh snapshot (`reset`). Default 30 days; 0 disables it.
   */
  tombstoneRetentionMs?: number;
  /** How often compaction runs; default one hour. */
  compactionIntervalMs?: number;
  /** Web Push to wake closed apps after changes in their user's spaces; `false` turns it off. */
  webPush?: false | WebPushOptions;
  /**
   * Native push (FCM, APNs) to wake closed phone apps after changes in their user's
   * spaces, and the device routes (`POST`/`DELETE /v1/devices`). Off unless given.
   */
  nativePush?: NativePushOptions;
  /**
   * A folder of built web files (e.g. a PWA's `dist`) to serve at the base path next to the
   * API, which keeps priority: `index.html` for `/` and for extensionless unknown paths,
   * hashed `assets/` cached for a year, everything else revalidated. Default: none.
   */
  staticDir?: string;
  /** Apply pending schema migrations before serving; default true. */
  migrate?: boolean;
}

/** What a Node adapter may pass beside the request (`@hono/node-server` does). */
export interface FetchEnv {
  /** Node's request, when served on Node: bodies are then read from it directly. */
  incoming?: Readable;
  /** Node's response, when served on Node. */
  outgoing?: ServerResponse | Http2ServerResponse;
  /**
   * True when nothing stands between Ferry and `outgoing` (`listen` and `nodeListener` set
   * it): event streams are then written to Node's response directly. Inside another app's
   * router it stays unset, so that app's middleware (CORS, say) still shapes every response.
   */
  ownsResponse?: boolean;
}

export interface FerryServer {
  /** Handles one request; mount it under `basePath` in any framework that speaks `Request`/`Response`. */
  fetch(request: Request, env?: FetchEnv): Promise<Response>;
  /**
   * Writes from the app's own backend: validated, versioned, ruled and poked like client
   * writes, in one transaction. Server writes may touch any space.
   */
  write(writes: readonly ServerWrite[], options?: ServerWriteOptions): Promise<ServerWriteResult[]>;
  /** Removes tombstones older than the retention now (it also runs on a timer). */
  compact(): Promise<CompactionResult>;
  readonly metrics: ServerMetrics;
  readonly auth: Authenticator;
  /** Mints a token for a user; only when authenticating with an HS256 secret. */
  signToken(
    principal: { userId: string; spaces?: readonly string[] },
    ttlSeconds: number,
  ): Promise<string>;
  /** Ends open event streams, waits for writes in flight and stops afterCommit delivery. The database stays open. */
  close(): Promise<void>;
}
