/**
 * A database that stops answering: requests get 503 `unavailable` with Retry-After, /readyz
 * says so, nothing acknowledged is lost, and service resumes by itself when it returns.
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFerryServer,
  createPostgresDatabase,
  dropPostgresSchema,
  type Listening,
  listen,
} from '../src/index.ts';
import { DATABASE_KINDS, DATABASE_URL } from './support/databases.ts';
import { TEST_SECRET } from './support/server.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';

describe.each(DATABASE_KINDS.filter((k) => k.name === 'postgres'))(
  'database outage on $name',
  () => {
    const schema = `ferry_test_${randomBytes(6).toString('hex')}`;
    let proxy: TcpProxy;
    let http: Listening;
    let close: () => Promise<void>;
    let token: string;

    beforeAll(async () => {
      const target = new URL(DATABASE_URL);
      proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
      const viaProxy = new URL(DATABASE_URL);
      viaProxy.hostname = '127.0.0.1';
      viaProxy.port = String(proxy.port);
      const database = createPostgresDatabase({
        connectionString: viaProxy.toString(),
        schema,
        connectTimeoutMs: 1000,
      });
      const server = await createFerryServer({
        database,
        jwtSecret: TEST_SECRET,
        logger: pino({ level: 'silent' }),
      });
      http = await listen(server);
      token = await server.signToken({ userId: 'olga' }, 600);
      close = async () => {
        await http.close();
        await database.close();
        await proxy.close();
        await dropPostgresSchema(DATABASE_URL, schema);
      };
    });
    afterAll(() => close());

    const post = async (path: string, body: unknown) => {
      const response = await fetch(http.url + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return {
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        body: await response.json(),
      };
    };
    const put = (id: number) => ({
      id,
      space: 'olga',
      collection: 'c',
      key: `k${id}`,
      op: 'put',
      value: { id },
    });

    it('answers 503 with Retry-After while the database is away, then recovers', async () => {
      expect((await post('/v1/push', { clientId: 'c-outage', mutations: [put(1)] })).status).toBe(
        200,
      );
      expect((await fetch(`${http.url}/readyz`)).status).toBe(200);

      await proxy.cut();
      const push = await post('/v1/push', { clientId: 'c-outage', mutations: [put(2)] });
      expect(push.status).toBe(503);
      expect(push.body.error.code).toBe('unavailable');
      expect(Number(push.retryAfter)).toBeGreaterThan(0);
      const pull = await post('/v1/pull', { clientId: 'c-outage', cursor: null });
      expect(pull.status).toBe(503);
      const ready = await fetch(`${http.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).not.toBeNull();
      expect((await fetch(`${http.url}/healthz`)).status).toBe(200);

      await proxy.restore();
      await expect
        .poll(async () => (await fetch(`${http.url}/readyz`)).status, { timeout: 10_000 })
        .toBe(200);
      // The client retries what was not acknowledged; what was acknowledged is still there.
      const retried = await post('/v1/push', { clientId: 'c-outage', mutations: [put(2)] });
      expect(retried.status).toBe(200);
      expect(retried.body.results[0].status).toBe('applied');
      const state = await post('/v1/pull', { clientId: 'c-outage', cursor: null });
      expect(state.body.changes.map((c: { key: string }) => c.key)).toEqual(['k1', 'k2']);
      expect(state.body.lastMutationId).toBe(2);
    });
  },
);
