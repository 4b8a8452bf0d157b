/**
 * Every error code of the protocol's table, and invariant I7: refused requests change
 * nothing, and nothing a client sends produces a 5xx.
 */
import { gzipSync } from 'node:zlib';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from './support/databases.ts';
import { type RunningServer, startServer, TEST_SECRET } from './support/server.ts';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function signWith(
  secret: string,
  claims: Record<string, unknown>,
  alg = 'HS256',
  expiresIn = '1h',
) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

describe.each(DATABASE_KINDS)('error codes on $name', (kind) => {
  let server: RunningServer;
  let alice: string;
  let bob: string;
  const validPush = (clientId: string, id = 1) => ({
    clientId,
    mutations: [
      { id, space: 'alice', collection: 'todos', key: 'k', op: 'put', value: { ok: true } },
    ],
  });

  beforeAll(async () => {
    server = await startServer(kind, {
      limits: { maxBodyBytes: 64 * 1024, maxMutationsPerPush: 50, maxValueBytes: 1024 },
    });
    alice = await server.token('alice');
    bob = await server.token('bob');
  });
  afterAll(() => server.stop());

  async function expectError(
    response: Promise<{ status: number; body: any }>,
    status: number,
    code: string,
  ) {
    const r = await response;
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(code);
    expect(typeof r.body.error.message).toBe('string');
  }

  it('400 invalid_request for malformed bodies, and nothing is applied', async () => {
    const bad: unknown[] = [
      '{not json',
      '[]',
      { clientId: 'c1' },
      { clientId: 'has space', mutations: [] },
      { clientId: 'x'.repeat(65), mutations: [] },
      {
        clientId: 'c1',
        mutations: [{ id: 0, space: 'alice', collection: 't', key: 'k', op: 'put', value: {} }],
      },
      {
        clientId: 'c1',
        mutations: [{ id: 1.5, space: 'alice', collection: 't', key: 'k', op: 'put', value: {} }],
      },
      {
        clientId: 'c1',
        mutations: [
          { id: 2 ** 60, space: 'alice', collection: 't', key: 'k', op: 'put', value: {} },
        ],
      },
      {
        clientId: 'c1',
        mutations: [{ id: '1', space: 'alice', collection: 't', key: 'k', op: 'put', value: {} }],
      },
      {
        clientId: 'c1',
        mutations: [{ id: 1, space: 'alice', collection: 't', key: 'k', op: 'upsert', value: {} }],
      },
      {
        clientId: 'c1',
        mutations: [{ id: 1, space: 'alice', collection: 't', key: '', op: 'put', value: {} }],
      },
      {
        clientId: 'c1',
        mutations: [
          { id: 1, space: 'alice', collection: 't', key: 'k'.repeat(257), op: 'put', value: {} },
        ],
      },
      {
        clientId: 'c1',
        mutations: [
          { id: 1, space: 'alice', collection: 't', key: 'nul\u0000', op: 'put', value: {} },
        ],
      },
      {
        clientId: 'c1',
        mutations: [
          { id: 1, space: 'alice', collection: 't', key: 'lone\ud800', op: 'put', value: {} },
        ],
      },
      {
        clientId: 'c1',
        mutations: [{ id: 1, space: 'a/b', collection: 't', key: 'k', op: 'put', value: {} }],
      },
      {
        clientId: 'c1',
        mutations: [
          { id: 1, space: 'alice', collection: 'x'.repeat(129), key: 'k', op: 'put', value: {} },
        ],
      },
      {
        clientId: 'c1',
        mutations: [{ id: 1, space: 'alice', collection: 't', key: 'k', op: 'put', value: [1] }],
      },
      {
        clientId: 'c1',
        mutations: [{ id: 1, space: 'alice', collection: 't', key: 'k', op: 'patch', value: null }],
      },
      {
        clientId: 'c1',
        mutations: [
          { id: 1, space: 'alice', collection: 't', key: 'k', op: 'put', value: {}, ifVersion: -1 },
        ],
      },
      // One good mutation followed by a malformed one: the whole request is refused.
      {
        clientId: 'c1',
        mutations: [
          { id: 1, space: 'alice', collection: 't', key: 'k', op: 'put', value: {} },
          { id: 2 },
        ],
      },
    ];
    for (const body of bad)
      await expectError(server.post('/v1/push', body, alice), 400, 'invalid_request');
    for (const body of [
      { clientId: 'c1', limit: 0 },
      { clientId: 'c1', limit: 5001 },
      { clientId: 'c1', cursor: 7 },
      { clientId: 'c1', spaces: [] },
    ]) {
      await expectError(server.post('/v1/pull', body, alice), 400, 'invalid_request');
    }
    const pulled = await server.post('/v1/pull', { clientId: 'c1', cursor: null }, alice);
    expect(pulled.body.changes).toEqual([]);
    expect(pulled.body.lastMutationId).toBe(0);
  });

  it('401 unauthorized for missing, malformed, expired, forged and none-algorithm tokens', async () => {
    const tokens: (string | undefined)[] = [
      undefined,
      'not-a-jwt',
      await signWith('another-secret-that-is-long-enough-for-hs256', { sub: 'alice' }),
      await signWith(TEST_SECRET, { sub: 'alice' }, 'HS256', '-10s'),
      await signWith(TEST_SECRET, { sub: 'alice' }, 'HS512'),
      `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'alice', spaces: ['alice'] })}.`,
      await signWith(TEST_SECRET, { spaces: ['alice'] }),
      await signWith(TEST_SECRET, { sub: 'alice', spaces: 'alice' }),
      await signWith(TEST_SECRET, { sub: 'alice', spaces: ['bad space'] }),
    ];
    for (const token of tokens) {
      await expectError(server.post('/v1/push', validPush('c401'), token), 401, 'unauthorized');
      await expectError(
        server.post('/v1/pull', { clientId: 'c401', cursor: null }, token),
        401,
        'unauthorized',
      );
    }
    const response = await fetch(`${server.url}/v1/pull`, {
      method: 'POST',
      headers: { authorization: 'Basic YWxpY2U6eA==', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(401);
  });

  it('403 forbidden for a client id of another user and for spaces outside the token', async () => {
    expect((await server.post('/v1/push', validPush('c-owned'), alice)).status).toBe(200);
    await expectError(server.post('/v1/push', validPush('c-owned', 2), bob), 403, 'forbidden');
    await expectError(
      server.post('/v1/pull', { clientId: 'c-owned', cursor: null }, bob),
      403,
      'forbidden',
    );
    await expectError(
      server.post('/v1/pull', { clientId: 'c-bob', cursor: null, spaces: ['alice'] }, bob),
      403,
      'forbidden',
    );
    // Bob's refused push changed nothing: Alice's client continues at id 2.
    const next = await server.post('/v1/push', validPush('c-owned', 2), alice);
    expect(next.body.results[0].status).toBe('applied');
    const stream = await fetch(`${server.url}/v1/events?spaces=alice`, {
      headers: { authorization: `Bearer ${bob}` },
    });
    expect(stream.status).toBe(403);
    expect((await stream.json()).error.code).toBe('forbidden');
  });

  it('404 not_found for unknown routes and 405 for a wrong method', async () => {
    const unknown = await fetch(`${server.url}/v1/nothing`);
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('not_found');
    const wrongMethod = await fetch(`${server.url}/v1/pull`);
    expect(wrongMethod.status).toBe(405);
    expect((await wrongMethod.json()).error.code).toBe('method_not_allowed');
    // The dev token route exists only in dev mode.
    await expectError(server.post('/v1/dev/token', { user: 'mallory' }), 404, 'not_found');
  });

  it('413 payload_too_large for big bodies, big gzip expansions and too many mutations', async () => {
    const huge = {
      clientId: 'c413',
      mutations: [
        {
          id: 1,
          space: 'alice',
          collection: 't',
          key: 'k',
          op: 'put',
          value: { s: 'x'.repeat(100_000) },
        },
      ],
    };
    await expectError(server.post('/v1/push', huge, alice), 413, 'payload_too_large');
    const bomb = gzipSync(Buffer.from(JSON.stringify(huge)));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const compressed = await fetch(`${server.url}/v1/push`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${alice}`,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      body: bomb,
    });
    expect(compressed.status).toBe(413);
    const many = {
      clientId: 'c413',
      mutations: Array.from({ length: 51 }, (_, i) => ({
        id: i + 1,
        space: 'alice',
        collection: 't',
        key: `k${i}`,
        op: 'delete',
      })),
    };
    await expectError(server.post('/v1/push', many, alice), 413, 'payload_too_large');
  });

  it('a value over its own limit is a per-mutation too_large rejection that does not block the rest', async () => {
    const body = {
      clientId: 'c-value',
      mutations: [
        {
          id: 1,
          space: 'alice',
          collection: 't',
          key: 'big',
          op: 'put',
          value: { s: 'x'.repeat(2000) },
        },
        {
          id: 2,
          space: 'alice',
          collection: 't',
          key: 'deep',
          op: 'put',
          value: JSON.parse(`${'{"a":'.repeat(100)}1${'}'.repeat(100)}`),
        },
        { id: 3, space: 'alice', collection: 't', key: 'small', op: 'put', value: { s: 'fine' } },
      ],
    };
    const r = await server.post('/v1/push', body, alice);
    expect(r.status).toBe(200);
    expect(
      r.body.results.map(
        (x: { status: string; error?: { code: string } }) => x.error?.code ?? x.status,
      ),
    ).toEqual(['too_large', 'too_large', 'applied']);
    expect(r.body.lastMutationId).toBe(3);
  });

  it('gzip-compressed requests are accepted', async () => {
    const response = await fetch(`${server.url}/v1/push`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${alice}`,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      body: gzipSync(Buffer.from(JSON.stringify(validPush('c-gzip')))),
    });
    expect(response.status).toBe(200);
  });

  it('415 unsupported_media_type for bodies that are not JSON', async () => {
    const response = await fetch(`${server.url}/v1/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice}`, 'content-type': 'text/plain' },
      body: JSON.stringify(validPush('c415')),
    });
    expect(response.status).toBe(415);
    expect((await response.json()).error.code).toBe('unsupported_media_type');
  });

  it('hostile names and keys are data, not code', async () => {
    const keys = [
      "'; DROP TABLE ferry_records; --",
      '__proto__',
      'constructor',
      '😀 ünïcödé',
      '\t\n\r',
    ];
    // Raw JSON, so that "__proto__" arrives as an own key, as it would from any client.
    const mutations = keys.map(
      (key, i) =>
        `{"id":${i + 1},"space":"alice","collection":"x:y.z-_","key":${JSON.stringify(key)},"op":"put","value":{"__proto__":{"polluted":true},"key":${JSON.stringify(key)}}}`,
    );
    const patch = `{"id":${keys.length + 1},"space":"alice","collection":"x:y.z-_","key":"__proto__","op":"patch","value":{"constructor":{"prototype":{"polluted":true}}}}`;
    const r = await server.post(
      '/v1/push',
      `{"clientId":"c-hostile","mutations":[${[...mutations, patch].join(',')}]}`,
      alice,
    );
    expect(r.status).toBe(200);
    expect(r.body.lastMutationId).toBe(keys.length + 1);
    const pulled = await server.post('/v1/pull', { clientId: 'c-hostile', cursor: null }, alice);
    const changes = pulled.body.changes.filter(
      (c: { collection: string }) => c.collection === 'x:y.z-_',
    );
    const text = JSON.stringify(changes);
    expect(changes.map((c: { key: string }) => c.key).sort()).toEqual([...keys].sort());
    expect(text).toContain('"__proto__":{"polluted":true}');
    expect(text).toContain('"constructor":{"prototype":{"polluted":true}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe.each(DATABASE_KINDS)('rate limits on $name', (kind) => {
  it('429 rate_limited with Retry-After once a user exceeds the limit', async () => {
    const server = await startServer(kind, { rateLimit: { requestsPerSecond: 1, burst: 3 } });
    try {
      const token = await server.token('busy');
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 5; i++) {
        const r = await server.post('/v1/pull', { clientId: 'c-busy', cursor: null }, token);
        statuses.push(r.status);
        if (r.status === 429) {
          expect(r.body.error.code).toBe('rate_limited');
          retryAfter = r.headers.get('retry-after');
        }
      }
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(statuses.slice(3)).toContain(429);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      // Another user is not affected.
      const other = await server.post(
        '/v1/pull',
        { clientId: 'c-calm', cursor: null },
        await server.token('calm'),
      );
      expect(other.status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});

describe.each(DATABASE_KINDS)('client rate limits on $name', (kind) => {
  it('limit one client id without touching the user’s other clients', async () => {
    const server = await startServer(kind, {
      clientRateLimit: { requestsPerSecond: 0.1, burst: 2 },
    });
    try {
      const token = await server.token('dev');
      const pull = (clientId: string) => server.post('/v1/pull', { clientId, cursor: null }, token);
      const statuses = [await pull('runaway'), await pull('runaway'), await pull('runaway')].map(
        (r) => r.status,
      );
      expect(statuses).toEqual([200, 200, 429]);
      expect((await pull('calm-device')).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
