/**
 * `createFerryServer` — Ferry's server as a library: a web-standard `fetch` handler over a
 * database, to mount in any HTTP framework or serve with `listen`. `ferry serve` is a thin
 * command over exactly this.
 */
import { randomUUID } from 'node:crypto';
import { AfterCommitDispatcher } from './after-commit.ts';
import { createAuthenticator } from './auth/create.ts';
import { CommitQueue } from './commit-queue.ts';
import {
  DEFAULT_DEV_TOKEN_TTL_SECONDS,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_SERVER_LIMITS,
  type ServerLimits,
} from './config.ts';
import { migrate } from './db/migrations.ts';
import { FerryConfigError } from './errors.ts';
import { PokeHub } from './events/hub.ts';
import { startReplicaPokes } from './events/replica-pokes.ts';
import { DEFAULT_SPACES_RECHECK_MS } from './events/stream.ts';
import { VisibilityGate } from './events/visibility.ts';
import { createApp } from './http/app.ts';
import { resolveMetricsAccess } from './http/metrics-route.ts';
import { NewClientIds } from './http/new-client-ids.ts';
import { RateLimiter } from './http/rate-limit.ts';
import { createStaticFiles } from './http/static-files.ts';
import { createDefaultLogger } from './logger.ts';
import { createRejectionPruner, scheduleCompaction } from './maintenance.ts';
import { createMetrics } from './metrics.ts';
import { resolveNativePush } from './native-push/options.ts';
import { createNativePushSender } from './native-push/sender.ts';
import type { FerryServer, FerryServerOptions } from './options.ts';
import { serverWrite } from './server-writes.ts';
import { compactTombstones } from './storage/compaction.ts';
import { readWatermark } from './storage/watermark.ts';
import { resolveWebPush } from './web-push/options.ts';
import { createWebPushSender } from './web-push/sender.ts';

const DEFAULT_REJECTION_RETENTION_MS = 30 * 24 * 3600 * 1000;
const REJECTION_PRUNE_INTERVAL_MS = 3600 * 1000;
const DEFAULT_TOMBSTONE_RETENTION_MS = 30 * 24 * 3600 * 1000;
const DEFAULT_COMPACTION_INTERVAL_MS = 3600 * 1000;

function normaliseBasePath(basePath: string | undefined): string {
  if (basePath === undefined || basePath === '' || basePath === '/') return '';
  if (!/^\/[A-Za-z0-9._~/-]*$/.test(basePath)) {
    throw new FerryConfigError(
      'basePath',
      `basePath is "${basePath}"; give the URL path the server is mounted under, starting with "/" and made of letters, digits and . _ ~ - /, e.g. "/sync" (or leave it out to serve at the root).`,
    );
  }
  return basePath.replace(/\/+$/, '');
}

/** The per-user limits: whole numbers, 0 turning each off. */
function checkPerUserLimits(limits: ServerLimits): void {
  for (const name of [
    'maxEventStreamsPerUser',
    'maxNewClientIdsPerUserPerHour',
    'maxQueuedMutationsPerUser',
  ] as const) {
    const value = limits[name];
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new FerryConfigError(
        `limits.${name}`,
        `limits.${name} is ${value}; give a whole number of at least 1, or 0 for no limit (default ${DEFAULT_SERVER_LIMITS[name]}).`,
      );
    }
  }
}

/** How often streams re-check changeable spaces: a whole number of milliseconds, at least 1. */
function spacesRecheckMsOf(value: number | undefined): number {
  if (value === undefined) return DEFAULT_SPACES_RECHECK_MS;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new FerryConfigError(
      'spacesRecheckMs',
      `spacesRecheckMs is ${value}; give how often an open event stream asks resolveSpaces for its user's spaces, in whole milliseconds of at least 1 (default ${DEFAULT_SPACES_RECHECK_MS}).`,
    );
  }
  return value;
}

/** How old a watermark learnt from commits and notifications may be when a pull reads up to it. */
const WATERMARK_MAX_AGE_MS = 1000;

export async function createFerryServer(options: FerryServerOptions): Promise<FerryServer> {
  const { database, rules } = options;
  const logger = options.logger ?? createDefaultLogger();
  const limits: ServerLimits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
  checkPerUserLimits(limits);
  if (!Number.isSafeInteger(limits.maxConcurrentBatches) || limits.maxConcurrentBatches < 1) {
    throw new FerryConfigError(
      'limits.maxConcurrentBatches',
      `limits.maxConcurrentBatches is ${limits.maxConcurrentBatches}; give a whole number of at least 1 (default ${DEFAULT_SERVER_LIMITS.maxConcurrentBatches}).`,
    );
  }
  const { auth, sign, maxTokenLifetimeSeconds } = await createAuthenticator(options);
  if (options.dev && !sign)
    throw new FerryConfigError(
      'dev',
      'dev mode mints tokens for anyone and needs an HS256 secret to sign them: give jwtSecret (or auth: { secret }), or turn dev off.',
    );
  const metricsAccess = resolveMetricsAccess(options.metrics);
  const devAllowedHosts = options.devAllowedHosts ?? 'loopback';
  if (devAllowedHosts !== 'loopback' && devAllowedHosts !== 'loopback-or-ip')
    throw new FerryConfigError(
      'devAllowedHosts',
      `devAllowedHosts is "${devAllowedHosts}"; give 'loopback' (the default) or 'loopback-or-ip'.`,
    );
  const basePath = normaliseBasePath(options.basePath);
  const staticFiles =
    options.staticDir === undefined ? undefined : await createStaticFiles(options.staticDir);
  // Before migrating: a mistake in the push services' keys is reported with nothing changed.
  const nativePush =
    options.nativePush === undefined ? undefined : await resolveNativePush(options.nativePush);
  if (options.migrate !== false) {
    const applied = await migrate(database);
    if (applied.length > 0) logger.info({ migrations: applied }, 'applied database migrations');
  }

  // The queue is made below; the gauge reads it only when metrics are scraped.
  const metrics = createMetrics({
    poolStats: database.poolStats,
    queuedMutations: () => commitQueue.queuedMutations,
  });
  const webPush =
    options.webPush === false ? undefined : await resolveWebPush(database, options.webPush);
  const webPushSender = webPush
    ? createWebPushSender({
        database,
        keys: webPush.keys,
        settings: webPush.settings,
        logger,
        metrics,
        endpoints: webPush.endpoints,
        transport: webPush.transport,
      })
    : undefined;
  const nativePushSender = nativePush
    ? createNativePushSender({
        database,
        providers: nativePush.providers,
        platforms: nativePush.platforms,
        settings: nativePush.settings,
        http: nativePush.http,
        logger,
        registry: metrics.registry,
      })
    : undefined;
  const hub = new PokeHub();
  // Names this process in its commit notifications (events/replica-pokes.ts).
  const replicaId = randomUUID();
  const visibility = new VisibilityGate({
    readWatermark: () => readWatermark(database),
    release: ({ spaces, version, own, patch }) => {
      if (spaces === undefined) hub.publishAll(version);
      else hub.publish(spaces, version, patch);
      if (!own || spaces === undefined) return;
      webPushSender?.notify(spaces, version);
      nativePushSender?.notify(spaces, version);
    },
    // Other processes commit only where the database is shared (PostgreSQL).
    maxAgeMs: database.listen ? WATERMARK_MAX_AGE_MS : 0,
  });
  hub.noteVersion(await visibility.refresh());
  const afterCommit = rules?.afterCommit
    ? new AfterCommitDispatcher({
        database,
        deliver: rules.afterCommit,
        logger,
        ...options.afterCommitDelivery,
      })
    : undefined;
  const pruneRejections = createRejectionPruner({
    database,
    retentionMs: options.rejectionRetentionMs ?? DEFAULT_REJECTION_RETENTION_MS,
    intervalMs: REJECTION_PRUNE_INTERVAL_MS,
    logger,
  });
  const commitQueue = new CommitQueue({
    database,
    batch: {
      limits,
      collections: options.collections,
      beforeWrite: rules?.beforeWrite,
      recordCommits: afterCommit !== undefined,
      notifyChannel: database.notifyChannel,
      replicaId,
      listenedSpaces: (touched) => hub.listenedSpaces(touched),
    },
    maxBatchMutations: limits.maxBatchMutations,
    // PGlite runs in this thread on one connection: transactions side by side would only queue.
    maxConcurrentBatches: database.kind === 'pglite' ? 1 : limits.maxConcurrentBatches,
    maxQueuedMutations: limits.maxQueuedMutations,
    maxQueuedMutationsPerUser: limits.maxQueuedMutationsPerUser,
    onCommit: ({ spaces, version, watermark, patch }) => {
      visibility.committed({ spaces, version, watermark, own: true, patch });
      afterCommit?.nudge();
    },
    onBatch: (outcomes) => {
      pruneRejections();
      for (const outcome of outcomes) {
        if (!outcome.ok) continue;
        for (const result of outcome.results) metrics.mutations.inc({ status: result.status });
      }
    },
  });
  afterCommit?.start();
  const replicaPokes = startReplicaPokes({
    database,
    hub,
    replicaId,
    logger,
    visibility,
    // Another replica's afterCommit batches may be waiting too.
    onReconnect: () => afterCommit?.nudge(),
  });

  const tombstoneRetentionMs = options.tombstoneRetentionMs ?? DEFAULT_TOMBSTONE_RETENTION_MS;
  const compact = () => compactTombstones(database, tombstoneRetentionMs);
  const compaction =
    tombstoneRetentionMs > 0
      ? scheduleCompaction({
          run: compact,
          intervalMs: options.compactionIntervalMs ?? DEFAULT_COMPACTION_INTERVAL_MS,
          logger,
        })
      : undefined;

  const openStreams = new Set<() => void>();
  const lifecycle = { draining: false };
  const app = createApp(
    {
      database,
      auth,
      signToken: sign,
      limits,
      metrics,
      hub,
      visibility,
      commitQueue,
      heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
      spacesRecheckMs: spacesRecheckMsOf(options.spacesRecheckMs),
      logger,
      compression: options.compression ?? 'auto',
      dev: options.dev ?? false,
      devAllowedHosts,
      // A dev token the server would refuse is no use: never longer than tokens may live.
      devTokenTtlSeconds: Math.min(
        options.devTokenTtlSeconds ?? DEFAULT_DEV_TOKEN_TTL_SECONDS,
        maxTokenLifetimeSeconds || Number.POSITIVE_INFINITY,
      ),
      metricsAccess,
      rateLimiter: options.rateLimit ? new RateLimiter(options.rateLimit) : undefined,
      clientRateLimiter: options.clientRateLimit
        ? new RateLimiter(options.clientRateLimit, 'clientRateLimit')
        : undefined,
      newClientIds:
        limits.maxNewClientIdsPerUserPerHour > 0
          ? new NewClientIds(database, limits.maxNewClientIdsPerUserPerHour)
          : undefined,
      lifecycle,
      webPush: webPush && {
        publicKey: webPush.keys.publicKey,
        endpoints: webPush.endpoints,
        maxSubscriptionsPerUser: webPush.maxSubscriptionsPerUser,
      },
      nativePush: nativePush && {
        platforms: nativePush.platforms,
        maxDevicesPerUser: nativePush.maxDevicesPerUser,
      },
      registerStream: (close) => {
        openStreams.add(close);
        return () => openStreams.delete(close);
      },
    },
    logger,
    basePath,
    staticFiles,
  );

  return {
    // `env` carries Node's own request where the server runs on Node (see http/body.ts).
    fetch: async (request, env) => app.fetch(request, env),
    write: (writes, writeOptions) => serverWrite(commitQueue, writes, writeOptions),
    compact,
    metrics,
    auth,
    signToken(principal, ttlSeconds) {
      if (!sign) {
        throw new FerryConfigError(
          'jwtSecret',
          'signToken() needs an HS256 secret to sign with, and this server verifies tokens it cannot sign (public keys, JWKS or custom auth): create the server with jwtSecret (or auth: { secret }), or have your identity provider issue the tokens.',
        );
      }
      return sign(principal, ttlSeconds);
    },
    async close() {
      lifecycle.draining = true;
      compaction?.stop();
      for (const close of [...openStreams]) close();
      await replicaPokes?.close();
      await commitQueue.idle();
      visibility.close();
      await webPushSender?.close();
      await nativePushSender?.close();
      await afterCommit?.close();
    },
  };
}
