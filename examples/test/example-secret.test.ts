/**
 * Regression: the examples used to sign with a fixed fallback secret written in their
 * source, so anyone could forge a token for any user of a server started from them.
 */
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { startHonoExample } from '../hono-jwt/server.ts';
import { exampleSecret } from '../shared.ts';

const OLD_PUBLIC_SECRET = 'example-secret-that-is-at-least-32-bytes';

describe('the examples’ signing secret', () => {
  it('is FERRY_JWT_SECRET when set, and otherwise new for every run', () => {
    expect(exampleSecret({ FERRY_JWT_SECRET: 'from-the-environment' })).toBe(
      'from-the-environment',
    );
    const first = exampleSecret({});
    expect(first).not.toBe(exampleSecret({}));
    expect(Buffer.from(first, 'base64url')).toHaveLength(32);
  });

  it('refuses a token forged with the secret the examples once shipped', async () => {
    const previous = process.env.FERRY_JWT_SECRET;
    delete process.env.FERRY_JWT_SECRET;
    const app = await startHonoExample();
    try {
      const forged = await new SignJWT({ spaces: ['alice'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('alice')
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(OLD_PUBLIC_SECRET));
      const pull = await fetch(`${app.syncUrl}/v1/pull`, {
        method: 'POST',
        headers: { authorization: `Bearer ${forged}`, 'content-type': 'application/json' },
        body: JSON.stringify({ clientId: 'c1', spaces: { alice: null } }),
      });
      expect(pull.status).toBe(401);
    } finally {
      await app.close();
      if (previous !== undefined) process.env.FERRY_JWT_SECRET = previous;
    }
  });
});
