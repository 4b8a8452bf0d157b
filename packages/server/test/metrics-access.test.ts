/**
 * Regression: `/metrics` (open files, the Node version, write counts) answered anyone.
 * The `metrics` option chooses who may read it: anyone (the library's default, kept for
 * apps that scrape it today), requests bearing a token, or nobody on this handler.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { FerryServerOptions } from '../src/index.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { startServer } from './support/server.ts';

const kind = DATABASE_KINDS.at(-1)!;

async function withMetrics(
  metrics: FerryServerOptions['metrics'],
  run: (get: (authorization?: string) => Promise<Response>) => Promise<void>,
) {
  const server = await startServer(kind, metrics === undefined ? {} : { metrics });
  try {
    await run((authorization) =>
      fetch(`${server.url}/metrics`, authorization ? { headers: { authorization } } : {}),
    );
  } finally {
    await server.stop();
  }
}

describe('/metrics', () => {
  it('is open by default in the library', async () => {
    await withMetrics(undefined, async (get) => {
      const response = await get();
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(/ferry_http_requests_total/);
    });
  });

  it('needs the bearer token when one is configured', async () => {
    const token = randomBytes(48).toString('base64');
    await withMetrics({ token }, async (get) => {
      const anonymous = await get();
      expect(anonymous.status).toBe(401);
      expect((await anonymous.json()).error.code).toBe('unauthorized');
      expect((await get(`Bearer ${randomBytes(48).toString('base64')}`)).status).toBe(401);
      expect((await get(`Bearer ${token.slice(0, -1)}`)).status).toBe(401);
      expect((await get('Basic abc')).status).toBe(401);
      const allowed = await get(`Bearer ${token}`);
      expect(allowed.status).toBe(200);
      expect(await allowed.text()).toMatch(/process_open_fds|ferry_http_requests_total/);
    });
  });

  it('is not served with metrics: false', async () => {
    await withMetrics(false, async (get) => {
      const response = await get();
      expect(response.status).toBe(404);
      expect((await response.json()).error.code).toBe('not_found');
    });
  });
});
