/**
 * `createFerryServer` — Ferry's server as a library: a web-standard `fetch` handler over a
 * database, to mount in any HTTP framework or serve with `listen`. `ferry serve` is a thin
 * command over exactly this.
 */
import { createJwtAuth, type JwtAuthenticator, type JwtAuthOptions } from './auth/jwt.ts';
import type { Authenticator } from './auth/principal.ts';
import {
  DEFAULT_DEV_TOKEN_TTL_SECONDS,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_SERVER_LIMITS,
  type ServerLimits,
} from './config.ts';
import type { Database } from './db/driver.ts';
import { migrate } from './db/migrations.ts';
import { PokeHub } from './events/hub.ts';
import { createApp } from './http/app.ts';
import { RateLimiter, type RateLimitOptions } from './http/rate-limit.ts';
import { createDefaultLogger, type Logger } from './logger.ts';
import { createRejectionPruner } from './maintenance.ts';
import { createMetrics, type ServerMetrics } from './metrics.ts';
import { PushQueue } from './push-queue.ts';

export interface FerryServerOptions {
  /** Where data lives: `createPostgresDatabase(…)` or `await createPGliteDatabase(…)`. Not closed by the server. */
  database: Database;
  /**
   * Who is calling: JWT options (`{ secret }`, `{ publicKey, algorithms }` or
   * `{ jwksUrl }`, with optional `resolveSpaces`), or any `Authenticator`, e.g.
   * `customAuth(request => …)` for session cookies. Give this or `jwtSecret`.
   */
  auth?: JwtAuthOptions | Authenticator;
  /** Shorthand for `auth: { secret }`: HS256 with a secret of at least 32 bytes. */
  jwtSecret?: string;
  /** Enables `POST /v1/dev/token`, which mints tokens for anyone (needs an HS256 secret). Never in production. */
  dev?: boolean;
  limits?: Partial<ServerLimits>;
  /** Interval of `: ping` comments on event streams; default 25 000. */
  heartbeatMs?: number;
  devTokenTtlSeconds?: number;
  logger?: Logger;
  /** Per-user request rate limit (429 beyond it); default none. */
  rateLimit?: RateLimitOptions;
  /**
   * Path prefix the handler is mounted under, e.g. `/sync` to serve `/sync/v1/push`; the
   * client's `url` then ends with it. Default: none.
   */
  basePath?: string;
  /** How long a rejection is remembered for resends after a lost response; default 30 days. */
  rejectionRetentionMs?: number;
  /** Apply pending schema migrations before serving; default true. */
  migrate?: boolean;
}

export interface FerryServer {
  /** Handles one request; mount it under any path prefix that forwards `/v1/...`. */
  fetch(request: Request): Promise<Response>;
  readonly metrics: ServerMetrics;
  readonly auth: Authenticator;
  /** Mints a token for a user; only when authenticating with an HS256 secret. */
  signToken(
    principal: { userId: string; spaces?: readonly string[] },
    ttlSeconds: number,
  ): Promise<string>;
  /** Ends open event streams and waits for pushes in flight. The database stays open. */
  close(): Promise<void>;
}

const DEFAULT_REJECTION_RETENTION_MS = 30 * 24 * 3600 * 1000;
const REJECTION_PRUNE_INTERVAL_MS = 3600 * 1000;

async function createAuthenticator(options: FerryServerOptions): Promise<Authenticator> {
  const { auth, jwtSecret } = options;
  if ((auth === undefined) === (jwtSecret === undefined)) {
    throw new Error('give exactly one of auth and jwtSecret');
  }
  if (auth === undefined) return createJwtAuth({ secret: jwtSecret! });
  return 'authenticate' in auth ? auth : createJwtAuth(auth);
}

function normaliseBasePath(basePath: string | undefined): string {
  if (basePath === undefined || basePath === '' || basePath === '/') return '';
  if (!/^\/[A-Za-z0-9._~/-]*$/.test(basePath)) {
    throw new Error(`basePath must be a URL path such as "/sync", got "${basePath}"`);
  }
  return basePath.replace(/\/+$/, '');
}

async function readHeadVersion(database: Database): Promise<number> {
  const [row] = await database.query<{ head_version: string | number }>(
    'SELECT head_version FROM ferry_server WHERE id = 1',
  );
  return Number(row?.head_version ?? 0);
}

export async function createFerryServer(options: FerryServerOptions): Promise<FerryServer> {
  const { database } = options;
  const logger = options.logger ?? createDefaultLogger();
  const limits: ServerLimits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
  const auth = await createAuthenticator(options);
  const signToken = 'sign' in auth ? (auth as JwtAuthenticator).sign : undefined;
  if (options.dev && !signToken)
    throw new Error('dev mode mints tokens and needs an HS256 secret (jwtSecret)');
  if (options.migrate !== false) {
    const applied = await migrate(database);
    if (applied.length > 0) logger.info({ migrations: applied }, 'applied database migrations');
  }
  const metrics = createMetrics();
  const hub = new PokeHub();
  hub.noteVersion(await readHeadVersion(database));
  const pruneRejections = createRejectionPruner({
    database,
    retentionMs: options.rejectionRetentionMs ?? DEFAULT_REJECTION_RETENTION_MS,
    intervalMs: REJECTION_PRUNE_INTERVAL_MS,
    logger,
  });
  const pushQueue = new PushQueue({
    database,
    limits,
    maxBatchMutations: limits.maxBatchMutations,
    onCommit: ({ spaces, headVersion }) => hub.publish(spaces, headVersion),
    onBatch: (outcomes) => {
      pruneRejections();
      for (const outcome of outcomes) {
        if (!outcome.ok) continue;
        for (const result of outcome.results) metrics.mutations.inc({ status: result.status });
      }
    },
  });
  const openStreams = new Set<() => void>();
  const app = createApp(
    {
      database,
      auth,
      signToken,
      limits,
      metrics,
      hub,
      pushQueue,
      heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
      dev: options.dev ?? false,
      devTokenTtlSeconds: options.devTokenTtlSeconds ?? DEFAULT_DEV_TOKEN_TTL_SECONDS,
      rateLimiter: options.rateLimit ? new RateLimiter(options.rateLimit) : undefined,
      registerStream: (close) => {
        openStreams.add(close);
        return () => openStreams.delete(close);
      },
    },
    logger,
    normaliseBasePath(options.basePath),
  );

  return {
    fetch: async (request) => app.fetch(request),
    metrics,
    auth,
    signToken(principal, ttlSeconds) {
      if (!signToken)
        throw new Error('signToken needs an HS256 secret (jwtSecret or auth: { secret })');
      return signToken(principal, ttlSeconds);
    },
    async close() {
      for (const close of [...openStreams]) close();
      await pushQueue.idle();
    },
  };
}
