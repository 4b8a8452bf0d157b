/**
 * What `ferry serve`'s security flags make of the server: its token checks, who reads the
 * metrics and where, which `Host` names dev mode answers, and the banner dev mode prints.
 */
import { serve as serveNode } from '@hono/node-server';
import type { Registry } from 'prom-client';
import type { JwtAuthOptions } from '../auth/jwt.ts';
import { FerryConfigError } from '../errors.ts';
import type { DevAllowedHosts } from '../http/dev-hosts.ts';
import { isLoopbackHostname } from '../http/dev-hosts.ts';
import { type MetricsAccess, metricsHandler } from '../http/metrics-route.ts';
import { errorResponse, toFerryError } from '../http/responses.ts';
import type { ServeConfig } from './config.ts';

/** HS256 with the secret, and the token claims the flags require. */
export function authOptions(config: ServeConfig, secret: string): JwtAuthOptions {
  return {
    secret,
    maxTokenLifetimeSeconds: config.maxTokenLifetimeSeconds,
    ...(config.jwtIssuer === undefined ? {} : { issuer: config.jwtIssuer }),
    ...(config.jwtAudience === undefined ? {} : { audience: config.jwtAudience }),
  };
}

/**
 * `/metrics` on the public listener: not at all when it has its own address, behind the
 * token when there is one, open in dev mode (a loopback server), and otherwise not served.
 */
export function publicMetrics(config: ServeConfig): MetricsAccess {
  if (config.metricsListen !== undefined) return false;
  if (config.metricsToken !== undefined) return { token: config.metricsToken };
  return config.dev ? 'public' : false;
}

/** Which `Host` names dev mode answers: IP addresses too when it knowingly binds a network. */
export function devAllowedHosts(config: ServeConfig): DevAllowedHosts {
  return config.devUnsafe && !isLoopbackHostname(config.host) ? 'loopback-or-ip' : 'loopback';
}

/** Serves `/metrics` alone on `--metrics-listen`, behind the token when there is one. */
export function listenForMetrics(
  registry: Registry,
  config: ServeConfig,
): Promise<{ url: string; close(): Promise<void> }> {
  const { host, port } = config.metricsListen!;
  const handle = metricsHandler(
    registry,
    config.metricsToken === undefined ? 'public' : { token: config.metricsToken },
  );
  return new Promise((resolve, reject) => {
    const server = serveNode(
      {
        hostname: host,
        port,
        fetch: async (request) => {
          const { pathname } = new URL(request.url);
          if (request.method !== 'GET' || pathname !== '/metrics')
            return new Response('only GET /metrics is served here\n', { status: 404 });
          try {
            return await handle(request);
          } catch (error) {
            return errorResponse(toFerryError(error));
          }
        },
      },
      (info) => {
        const bound = info.family === 'IPv6' ? `[${info.address}]` : info.address;
        resolve({
          url: `http://${bound}:${info.port}/metrics`,
          close: () => new Promise<void>((done) => server.close(() => done())),
        });
      },
    );
    server.once('error', (error) =>
      reject(
        new FerryConfigError(
          '--metrics-listen',
          `could not serve metrics on ${host}:${port} (${error.message}); give a free address, e.g. 127.0.0.1:9464`,
          { cause: error },
        ),
      ),
    );
  });
}

/** What `ferry serve` says about its metrics once it listens. */
export function metricsLine(config: ServeConfig, separateUrl: string | undefined): string {
  if (separateUrl !== undefined)
    return `Metrics: ${separateUrl}${config.metricsToken === undefined ? '' : ' (bearer token required)'}, not on the public address`;
  const access = publicMetrics(config);
  if (access === false)
    return 'Metrics: not served (give --metrics-listen 127.0.0.1:9464 or --metrics-token to serve /metrics)';
  return access === 'public'
    ? 'Metrics: /metrics, open (dev mode)'
    : 'Metrics: /metrics, bearer token required';
}

/** The warning dev mode prints on stderr: what it allows, and where it must never run. */
export function devBanner(config: ServeConfig, boundUrl: string, database: string): string {
  const rule = '!'.repeat(78);
  const lines = [
    rule,
    '!! FERRY DEV MODE: for development on this machine only.',
    '!!',
    '!! POST /v1/dev/token gives a token for ANY user and ANY spaces to whoever can',
    '!! reach this server: every record can be read, changed and deleted, no password.',
    `!! Listening on ${boundUrl}; data: ${database}.`,
    config.devUnsafe
      ? '!! Requests addressed to localhost or an IP address are answered (--dev-unsafe).'
      : '!! Only requests addressed to localhost, 127.0.0.1 or [::1] are answered.',
  ];
  if (publicMetrics(config) === 'public') lines.push('!! /metrics is served without a token.');
  if (config.devUnsafe && !isLoopbackHostname(config.host))
    lines.push(
      `!! --dev-unsafe: bound to ${config.host}, so every machine on this network can mint tokens.`,
    );
  if (config.devUnsafe && config.databaseUrl !== undefined)
    lines.push('!! --dev-unsafe: on PostgreSQL; anyone with a dev token can change its data.');
  lines.push('!!', '!! Never let it face the internet. In production, leave out --dev.', rule);
  return lines.join('\n');
}
