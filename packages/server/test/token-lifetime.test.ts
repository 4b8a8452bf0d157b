/**
 * Regression: a token without `exp`, or with `exp` = 1e20, was accepted for good. Tokens
 * must now expire, within `maxTokenLifetimeSeconds` (a day) of their `iat` or of now, unless
 * the app says otherwise; the server's own tokens carry its issuer and audience and never
 * outlive the limit. Over real HTTP, as a client sends them.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJwtAuth, FerryConfigError } from '../src/index.ts';
import { DATABASE_KINDS } from './support/databases.ts';
import { type RunningServer, startServer, TEST_SECRET } from './support/server.ts';

const kind = DATABASE_KINDS.at(-1)!;
const key = new TextEncoder().encode(TEST_SECRET);
const now = () => Math.floor(Date.now() / 1000);
const HOUR = 3600;
const DAY = 24 * HOUR;

/** A token for `alice` with exactly the claims given (no `iat` or `exp` unless named). */
function token(claims: { iat?: number; exp?: number; iss?: string; aud?: string }) {
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('alice')
    .sign(key);
}

async function pull(server: RunningServer, bearer: string) {
  return server.post('/v1/pull', { clientId: 'c-life', cursor: null }, bearer);
}

describe('token lifetime', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(kind);
  });
  afterAll(() => server.stop());

  it('refuses a token without exp', async () => {
    const refused = await pull(server, await token({ iat: now() }));
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toMatch(/no "exp" claim/);
  });

  it('refuses a token whose exp is 1e20', async () => {
    const refused = await pull(server, await token({ iat: now(), exp: 1e20 }));
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toMatch(/expires too far ahead/);
  });

  it('refuses a token living longer than a day, from its iat or from now', async () => {
    expect((await pull(server, await token({ iat: now(), exp: now() + 2 * DAY }))).status).toBe(
      401,
    );
    expect((await pull(server, await token({ exp: now() + 2 * DAY }))).status).toBe(401);
    // Issued two days ago for two days and an hour: still within its exp, but too long-lived.
    expect(
      (await pull(server, await token({ iat: now() - 2 * DAY, exp: now() + HOUR }))).status,
    ).toBe(401);
    // An iat in the future does not stretch the limit.
    expect(
      (await pull(server, await token({ iat: now() + 10 * DAY, exp: now() + 10 * DAY + HOUR })))
        .status,
    ).toBe(401);
  });

  it('accepts tokens of an hour and of exactly a day', async () => {
    expect((await pull(server, await token({ iat: now(), exp: now() + HOUR }))).status).toBe(200);
    expect((await pull(server, await token({ exp: now() + HOUR }))).status).toBe(200);
    expect((await pull(server, await server.token('alice'))).status).toBe(200);
    const signJwt = await createJwtAuth({ secret: TEST_SECRET });
    expect((await pull(server, await signJwt.sign!({ userId: 'alice' }, DAY))).status).toBe(200);
  });
});

describe('token lifetime options', () => {
  it('take no exp and any lifetime when the app allows them', async () => {
    const server = await startServer(kind, {
      jwtSecret: undefined,
      auth: { secret: TEST_SECRET, requireExpiry: false, maxTokenLifetimeSeconds: 0 },
    });
    try {
      expect((await pull(server, await token({ iat: now() }))).status).toBe(200);
      expect((await pull(server, await token({ iat: now(), exp: now() + 400 * DAY }))).status).toBe(
        200,
      );
    } finally {
      await server.stop();
    }
  });

  it('take a shorter limit', async () => {
    const server = await startServer(kind, {
      jwtSecret: undefined,
      auth: { secret: TEST_SECRET, maxTokenLifetimeSeconds: 600 },
    });
    try {
      expect((await pull(server, await token({ iat: now(), exp: now() + 600 }))).status).toBe(200);
      expect((await pull(server, await token({ iat: now(), exp: now() + HOUR }))).status).toBe(401);
    } finally {
      await server.stop();
    }
  });

  it('refuse a limit that is not a whole number of seconds', async () => {
    for (const bad of [-1, 1.5, Number.NaN]) {
      await expect(
        createJwtAuth({ secret: TEST_SECRET, maxTokenLifetimeSeconds: bad }),
      ).rejects.toThrow(/maxTokenLifetimeSeconds/);
    }
  });
});

describe('tokens the server signs', () => {
  it('refuse a lifetime the server would not accept, saying so', async () => {
    const auth = await createJwtAuth({ secret: TEST_SECRET });
    const error = await auth.sign!({ userId: 'alice' }, 7 * DAY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FerryConfigError);
    expect((error as Error).message).toMatch(/at most 86400 seconds/);
  });

  it('carry the configured issuer and audience, and dev tokens live at most the limit', async () => {
    const server = await startServer(kind, {
      jwtSecret: undefined,
      auth: { secret: TEST_SECRET, issuer: 'https://id.example/', audience: 'app' },
      dev: true,
      devTokenTtlSeconds: 7 * DAY,
    });
    try {
      expect((await pull(server, await server.token('alice'))).status).toBe(200);
      const minted = await server.post('/v1/dev/token', { user: 'alice' });
      expect(minted.status).toBe(200);
      const claims = JSON.parse(
        Buffer.from(minted.body.token.split('.')[1], 'base64url').toString(),
      );
      expect(claims).toMatchObject({ iss: 'https://id.example/', aud: 'app' });
      expect(claims.exp - claims.iat).toBe(DAY);
      expect((await pull(server, minted.body.token)).status).toBe(200);
      // Another issuer's or audience's token is still refused.
      const other = await token({
        iat: now(),
        exp: now() + HOUR,
        iss: 'https://evil.example/',
        aud: 'app',
      });
      expect((await pull(server, other)).status).toBe(401);
    } finally {
      await server.stop();
    }
  });
});
