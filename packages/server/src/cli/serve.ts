/** `ferry serve`: the library's server on a port, with the database the configuration names. */
import { join, resolve } from 'node:path';
import pino from 'pino';
import type { Database } from '../db/driver.ts';
import { createPGliteDatabase } from '../db/pglite.ts';
import { createPostgresDatabase } from '../db/postgres.ts';
import { listen } from '../node.ts';
import { createFerryServer } from '../server.ts';
import type { ServeConfig } from './config.ts';
import { loadOrCreateDevSecret } from './dev-secret.ts';
import { listeningAddress, listeningLine } from './listening.ts';
import { nativePushLine, nativePushOptions } from './native-push.ts';
import {
  authOptions,
  devAllowedHosts,
  devBanner,
  listenForMetrics,
  metricsLine,
  publicMetrics,
} from './serve-security.ts';

export interface Output {
  line(text: string): void;
  /** A warning for the operator (stderr); `line` when not given. */
  warn?(text: string): void;
}

async function openDatabase(config: ServeConfig): Promise<Database> {
  if (config.databaseUrl) {
    return createPostgresDatabase({
      connectionString: config.databaseUrl,
      schema: config.databaseSchema,
    });
  }
  return createPGliteDatabase({
    dataDir: join(resolve(config.dataDir), 'pg'),
    settings: config.pgliteSettings,
  });
}

export async function serve(config: ServeConfig, out: Output): Promise<{ stop(): Promise<void> }> {
  const logger = pino({ level: config.logLevel, base: { service: 'ferry' } });
  let jwtSecret = config.jwtSecret;
  if (jwtSecret === undefined) {
    const dev = loadOrCreateDevSecret(resolve(config.dataDir));
    jwtSecret = dev.secret;
    out.line(
      `${dev.created ? 'Generated' : 'Using'} the dev-mode JWT secret in ${join(resolve(config.dataDir), 'dev-jwt-secret')}`,
    );
  }
  // Read before the database opens, so a missing key file leaves nothing to close.
  const nativePush = nativePushOptions(config.nativePush);
  const database = await openDatabase(config);
  out.line(`Database: ${database.description}`);
  const { subject, publicKey, privateKey } = config.vapid;
  const webPush = {
    ...(subject === undefined ? {} : { subject }),
    ...(publicKey === undefined ? {} : { publicKey }),
    ...(privateKey === undefined ? {} : { privateKey }),
    ...(config.push.endpointHosts === undefined
      ? {}
      : { allowEndpoint: config.push.endpointHosts }),
    ...(config.push.subscriptionsPerUser === undefined
      ? {}
      : { maxSubscriptionsPerUser: config.push.subscriptionsPerUser }),
  };
  const staticDir = config.staticDir === undefined ? undefined : resolve(config.staticDir);
  const server = await createFerryServer({
    database,
    auth: authOptions(config, jwtSecret),
    dev: config.dev,
    devAllowedHosts: devAllowedHosts(config),
    metrics: publicMetrics(config),
    compression: config.compression,
    logger,
    webPush,
    ...(nativePush === undefined ? {} : { nativePush }),
    ...(staticDir === undefined ? {} : { staticDir }),
    limits: config.limits,
    ...(config.rateLimit === undefined ? {} : { rateLimit: config.rateLimit }),
    ...(config.clientRateLimit === undefined ? {} : { clientRateLimit: config.clientRateLimit }),
  });
  const http = await listen(server, { port: config.port, hostname: config.host });
  const address = listeningAddress(http.url);
  let metricsListener: Awaited<ReturnType<typeof listenForMetrics>> | undefined;
  try {
    if (config.metricsListen !== undefined)
      metricsListener = await listenForMetrics(server.metrics.registry, config);
  } catch (error) {
    // Nothing may keep the process alive once it has failed to start.
    await http.close();
    await database.close();
    throw error;
  }
  if (config.dev) (out.warn ?? out.line)(devBanner(config, address.bound, database.description));
  out.line(metricsLine(config, metricsListener?.url));
  out.line(nativePushLine(nativePush));
  out.line(listeningLine(address, config.dev));
  if (staticDir !== undefined) {
    out.line(`Serving ${staticDir} at /: open ${address.local}/ in a browser`);
  }
  return {
    async stop() {
      await metricsListener?.close();
      await http.close();
      await database.close();
    },
  };
}
