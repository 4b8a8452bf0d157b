/**
 * Invariant I7 under generated hostile input: malformed JSON, wrong types, deep and huge
 * values, odd unicode, `__proto__` keys, numbers beyond 2^53, duplicate keys, wrong content
 * types and encodings, cut-off bodies — on every route. Only documented 4xx (or a success)
 * come back, never a 5xx, and data the caller may not touch is unchanged.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from './support/databases.ts';
import { type RunningServer, startServer } from './support/server.ts';

const DOCUMENTED = new Set([200, 201, 204, 400, 401, 403, 404, 405, 413, 415, 429]);

const oddString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '',
    '\u0000',
    '\ud800',
    '__proto__',
    'constructor',
    "'; DROP TABLE ferry_records; --",
    'a'.repeat(300),
    '😀'.repeat(200),
  ),
);
const oddNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(2 ** 53, 2 ** 53 + 2, -1, 0, 1e308, 1.5),
);
const oddValue = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  oddString,
  oddNumber,
  fc.constant(null),
  fc.constant({ ['__proto__']: { polluted: true } }),
  fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 3 }),
);
const maybe = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: oddValue });

const mutation = fc.record(
  {
    id: maybe(fc.integer({ min: 1, max: 1000 })),
    space: maybe(fc.constantFrom('fuzzer', 'vault', 'x'.repeat(129))),
    collection: maybe(fc.constantFrom('c', 'd')),
    key: maybe(oddString),
    op: maybe(fc.constantFrom('put', 'patch', 'delete')),
    value: maybe(fc.dictionary(oddString, oddValue, { maxKeys: 4 })),
    ifVersion: maybe(fc.nat()),
  },
  { requiredKeys: [] },
);
const pushBody = fc.record(
  {
    clientId: maybe(fc.constantFrom('fuzz-client', 'other-client')),
    mutations: maybe(fc.array(mutation, { maxLength: 6 })),
  },
  { requiredKeys: [] },
);
const pullBody = fc.record(
  {
    clientId: maybe(fc.constant('fuzz-client')),
    cursor: maybe(fc.oneof(fc.constant(null), fc.string())),
    limit: maybe(fc.integer({ min: -5, max: 6000 })),
    spaces: maybe(fc.array(fc.constantFrom('fuzzer', 'vault', ''), { maxLength: 3 })),
  },
  { requiredKeys: [] },
);

/** Ways to garble a serialised body on its way out. */
const transport = fc.record({
  contentType: fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    '',
    'application/x-www-form-urlencoded',
  ),
  garble: fc.constantFrom(
    'none',
    'truncate',
    'duplicate-keys',
    'deep',
    'gzip',
    'bad-gzip',
    'not-utf8',
  ),
  auth: fc.constantFrom('valid', 'none', 'garbage', 'other-user'),
});

function garbled(json: string, how: string): { body: Uint8Array | string; encoding?: string } {
  switch (how) {
    case 'truncate':
      return { body: json.slice(0, Math.max(0, json.length - 3)) };
    case 'duplicate-keys':
      return { body: json.replace(/^\{/, '{"clientId":"dup-a","clientId":"fuzz-client",') };
    case 'deep':
      return { body: `${'['.repeat(50_000)}${']'.repeat(50_000)}` };
    case 'gzip':
      return { body: new Uint8Array(gzipSync(json)), encoding: 'gzip' };
    case 'bad-gzip':
      return { body: json, encoding: 'gzip' };
    case 'not-utf8':
      return { body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) };
    default:
      return { body: json };
  }
}

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

  async function send(
    method: string,
    path: string,
    json: string,
    t: { contentType: string; garble: string; auth: string },
  ) {
    const { body, encoding } = garbled(json, t.garble) as { body: BodyInit; encoding?: string };
    const headers: Record<string, string> = {};
    if (t.contentType) headers['content-type'] = t.contentType;
    if (encoding) headers['content-encoding'] = encoding;
    if (t.auth === 'garbage') headers.authorization = 'Bearer not.a.token';
    else if (t.auth !== 'none') headers.authorization = `Bearer ${tokens[t.auth]}`;
    const response = await fetch(server.url + path, {
      method,
      headers,
      body: method === 'GET' ? undefined : body,
    });
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
