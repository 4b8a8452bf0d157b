/**
 * Invariant I7 under generated hostile input: malformed JSON, wrong types, deep and huge
 * values, odd unicode, `__proto__` keys, numbers beyond 2^53, duplicate keys, wrong content
 * types and encodings, cut-off bodies — on every route. Only documented 4xx (or a success)
 * come back, never a 5xx, and data the caller may not touch is unchanged.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from './support/databases.ts';
import {
  DOCUMENTED,
  hostileRequest,
  maybe,
  oddString,
  pullBody,
  pushBody,
  type Transport,
  transport,
} from './support/fuzz-requests.ts';
import { type RunningServer, startServer } from './support/server.ts';

describe.each(DATABASE_KINDS)('hostile input on $name', (kind) => {
  let server: RunningServer;
  const tokens: Record<string, string> = {};
  let vaultBefore: unknown;
  const vaultRows = () =>
    server.database.query(
      "SELECT key, value, version FROM ferry_records WHERE space = 'vault' ORDER BY key",
    );

  beforeAll(async () => {
    server = await startServer(kind, {
      limits: { maxBodyBytes: 64 * 1024, maxMutationsPerPush: 5 },
    });
    tokens.valid = await server.token('fuzzer');
    tokens['other-user'] = await server.token('someone-else', ['someone-else']);
    const keeper = await server.token('keeper', ['vault']);
    await server.post(
      '/v1/push',
      {
        clientId: 'keeper',
        mutations: [
          { id: 1, space: 'vault', collection: 'c', key: 'gold', op: 'put', value: { bars: 10 } },
        ],
      },
      keeper,
    );
    // The fuzzing client id belongs to the fuzzing user.
    await server.post('/v1/pull', { clientId: 'fuzz-client', cursor: null }, tokens.valid);
    vaultBefore = await vaultRows();
  });
  afterAll(() => server.stop());

  async function send(method: string, path: string, json: string, t: Transport) {
    const response = await fetch(hostileRequest(server.url + path, method, json, t, tokens));
    const text = await response.text();
    expect(
      DOCUMENTED.has(response.status),
      `${method} ${path} answered ${response.status}: ${text}`,
    ).toBe(true);
    if (response.status >= 400) {
      const parsed = JSON.parse(text);
      expect(typeof parsed.error.code).toBe('string');
      expect(typeof parsed.error.message).toBe('string');
    }
    return response.status;
  }

  it('push and pull answer only documented statuses, and the vault is untouched', async () => {
    await fc.assert(
      fc.asyncProperty(pushBody, transport, async (body, t) => {
        await send('POST', '/v1/push', JSON.stringify(body), t);
      }),
      { numRuns: 250 },
    );
    await fc.assert(
      fc.asyncProperty(pullBody, transport, async (body, t) => {
        await send('POST', '/v1/pull', JSON.stringify(body), t);
      }),
      { numRuns: 150 },
    );
    expect(await vaultRows()).toEqual(vaultBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('subscriptions, events and unknown routes answer only documented statuses', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            endpoint: maybe(fc.webUrl()),
            keys: maybe(fc.record({ p256dh: oddString, auth: oddString })),
          },
          { requiredKeys: [] },
        ),
        transport,
        fc.constantFrom('POST', 'DELETE'),
        async (body, t, method) => {
          await send(method, '/v1/push/subscriptions', JSON.stringify(body), t);
        },
      ),
      { numRuns: 100 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.string(),
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
        async (suffix, method) => {
          await send(method, `/v1/${encodeURIComponent(suffix)}`, '{}', {
            contentType: 'application/json',
            garble: 'none',
            auth: 'valid',
          });
        },
      ),
      { numRuns: 100 },
    );
    for (const query of [
      '?spaces=',
      '?spaces=vault',
      '?spaces=a%00b',
      `?access_token=${'x'.repeat(5000)}`,
      '?spaces=fuzzer,fuzzer',
    ]) {
      const controller = new AbortController();
      const response = await fetch(`${server.url}/v1/events${query}`, {
        headers: { authorization: `Bearer ${tokens.valid}` },
        signal: controller.signal,
      });
      expect(DOCUMENTED.has(response.status)).toBe(true);
      controller.abort();
    }
    expect(await vaultRows()).toEqual(vaultBefore);
  });
});
