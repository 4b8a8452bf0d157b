/** Every way the server can learn who is calling, over real HTTP. */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { customAuth, type FerryServerOptions, SpacesCache } from '../src/index.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { type RunningServer, startServer } from './support/server.ts';

const kind = DATABASE_KINDS.at(-1)!;
const silent = pino({ level: 'silent' });

async function withServer(
  options: Partial<FerryServerOptions>,
  run: (server: RunningServer) => Promise<void>,
) {
  const server = await startServer(kind, { jwtSecret: undefined, logger: silent, ...options });
  try {
    await run(server);
  } finally {
    await server.stop();
  }
}

const pullAs = (server: RunningServer, token: string | undefined, clientId = 'c-auth') =>
  server.post('/v1/pull', { clientId, cursor: null }, token);

async function signed(key: CryptoKey, alg: string, claims: Record<string, unknown>, kid?: string) {
  return new SignJWT(claims)
    .setProtectedHeader(kid ? { alg, kid } : { alg })
    .setExpirationTime('5m')
    .sign(key);
}

describe('authentication', () => {
  const servers: Server[] = [];
  afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

  it('verifies RS256 and ES256 tokens against a public key, and refuses others', async () => {
    for (const alg of ['RS256', 'ES256']) {
      const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
      const other = await generateKeyPair(alg);
      await withServer(
        { auth: { publicKey: await exportSPKI(publicKey), algorithms: [alg] } },
        async (server) => {
          expect((await pullAs(server, await signed(privateKey, alg, { sub: 'ann' }))).status).toBe(
            200,
          );
          expect(
            (await pullAs(server, await signed(other.privateKey, alg, { sub: 'ann' }))).status,
          ).toBe(401);
          const hs = await new SignJWT({ sub: 'ann' })
            .setProtectedHeader({ alg: 'HS256' })
            .sign(new TextEncoder().encode('x'.repeat(32)));
          expect((await pullAs(server, hs)).status).toBe(401);
        },
      );
    }
  });

  it('checks issuer and audience when configured', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    await withServer(
      { auth: { publicKey, algorithms: ['ES256'], issuer: 'https://idp.test', audience: 'ferry' } },
      async (server) => {
        expect(
          (
            await pullAs(
              server,
              await signed(privateKey, 'ES256', {
                sub: 'ann',
                iss: 'https://idp.test',
                aud: 'ferry',
              }),
            )
          ).status,
        ).toBe(200);
        expect(
          (
            await pullAs(
              server,
              await signed(privateKey, 'ES256', {
                sub: 'ann',
                iss: 'https://evil.test',
                aud: 'ferry',
              }),
            )
          ).status,
        ).toBe(401);
        expect(
          (
            await pullAs(
              server,
              await signed(privateKey, 'ES256', { sub: 'ann', iss: 'https://idp.test' }),
            )
          ).status,
        ).toBe(401);
      },
    );
  });

  it('follows a JWKS URL, including a key rotation, without a restart', async () => {
    const first = await generateKeyPair('RS256');
    const second = await generateKeyPair('RS256');
    let published = [{ ...(await exportJWK(first.publicKey)), kid: 'k1', alg: 'RS256' }];
    let fetches = 0;
    const jwks = createServer((_req, res) => {
      fetches += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: published }));
    });
    servers.push(jwks);
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
    await withServer({ auth: { jwksUrl, jwksCooldownMs: 0 } }, async (server) => {
      expect(
        (await pullAs(server, await signed(first.privateKey, 'RS256', { sub: 'ann' }, 'k1')))
          .status,
      ).toBe(200);
      expect(
        (await pullAs(server, await signed(first.privateKey, 'RS256', { sub: 'ann' }, 'k1')))
          .status,
      ).toBe(200);
      expect(fetches).toBe(1);
      // The identity provider rotates to a new key.
      published = [{ ...(await exportJWK(second.publicKey)), kid: 'k2', alg: 'RS256' }];
      expect(
        (await pullAs(server, await signed(second.privateKey, 'RS256', { sub: 'ann' }, 'k2')))
          .status,
      ).toBe(200);
      expect(fetches).toBe(2);
      const unknown = await generateKeyPair('RS256');
      expect(
        (await pullAs(server, await signed(unknown.privateKey, 'RS256', { sub: 'ann' }, 'k3')))
          .status,
      ).toBe(401);
    });
  });

  it('takes spaces from the app through resolveSpaces, cached per user', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const calls: string[] = [];
    const membership: Record<string, string[]> = { ann: ['ann', 'team-a'] };
    await withServer(
      {
        auth: {
          publicKey,
          algorithms: ['ES256'],
          resolveSpaces: async ({ userId }) => {
            calls.push(userId);
            return membership[userId] ?? [];
          },
        },
      },
      async (server) => {
        const token = await signed(privateKey, 'ES256', { sub: 'ann', spaces: ['ignored'] });
        const own = await server.post(
          '/v1/pull',
          { clientId: 'c-ann', cursor: null, spaces: ['team-a'] },
          token,
        );
        expect(own.status).toBe(200);
        const outside = await server.post(
          '/v1/pull',
          { clientId: 'c-ann', cursor: null, spaces: ['ignored'] },
          token,
        );
        expect(outside.status).toBe(403);
        expect(calls).toEqual(['ann']);
      },
    );
  });

  it('lets the app authenticate a request itself, e.g. by session cookie', async () => {
    const sessions: Record<string, { userId: string; spaces: string[] }> = {
      s3cr3t: { userId: 'ann', spaces: ['ann'] },
    };
    const auth = customAuth(async (request) => {
      const cookie = request.headers.get('cookie') ?? '';
      const session = /(?:^|;\s*)sid=([^;]+)/.exec(cookie)?.[1];
      return session ? sessions[session] : null;
    });
    await withServer({ auth }, async (server) => {
      const pull = (cookie?: string) =>
        fetch(`${server.url}/v1/pull`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
          body: JSON.stringify({ clientId: 'c-cookie', cursor: null }),
        });
      expect((await pull('sid=s3cr3t')).status).toBe(200);
      expect((await pull('sid=wrong')).status).toBe(401);
      expect((await pull()).status).toBe(401);
    });
  });

  it('accepts the query-string token only on the event stream', async () => {
    await withServer({ jwtSecret: randomBytes(48).toString('base64') }, async (server) => {
      const token = await server.token('ann');
      const pull = await fetch(`${server.url}/v1/pull?access_token=${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientId: 'c-q', cursor: null }),
      });
      expect(pull.status).toBe(401);
      const events = await fetch(`${server.url}/v1/events?access_token=${token}`);
      expect(events.status).toBe(200);
      await events.body?.cancel();
    });
  });
});

describe('the spaces cache', () => {
  it('expires entries, keeps a bound, shares concurrent lookups and forgets failures', async () => {
    let now = 0;
    const cache = new SpacesCache({ ttlMs: 100, maxEntries: 2, now: () => now });
    let loads = 0;
    const load = (spaces: string[]) => async () => {
      loads += 1;
      return spaces;
    };
    const [a, b] = await Promise.all([cache.get('a', load(['x'])), cache.get('a', load(['y']))]);
    expect([a, b, loads]).toEqual([['x'], ['x'], 1]);
    now = 150;
    expect(await cache.get('a', load(['z']))).toEqual(['z']);
    await cache.get('b', load(['b']));
    await cache.get('c', load(['c']));
    expect(cache.size).toBe(2);
    await expect(cache.get('d', () => Promise.reject(new Error('db down')))).rejects.toThrow(
      'db down',
    );
    expect(await cache.get('d', load(['d']))).toEqual(['d']);
  });
});
