import { describe, expect, it } from 'vitest';
import { createJwtAuth } from '../src/auth/jwt.ts';
import { VerifiedTokens } from '../src/auth/verified-tokens.ts';

const SECRET = 'a-secret-that-is-long-enough-for-hs256-tokens!';

describe('VerifiedTokens', () => {
  it('keeps a token until its exp, and no longer than maxAgeMs', () => {
    let now = 1_000_000;
    const tokens = new VerifiedTokens({ maxAgeMs: 60_000, now: () => now });
    tokens.add('short', { sub: 'a', exp: (now + 10_000) / 1000 });
    tokens.add('long', { sub: 'b', exp: (now + 3_600_000) / 1000 });
    tokens.add('no-exp', { sub: 'c' });
    now += 9_999;
    expect(tokens.get('short')?.sub).toBe('a');
    now += 1;
    expect(tokens.get('short')).toBeUndefined();
    expect(tokens.get('long')?.sub).toBe('b');
    now += 50_000;
    expect(tokens.get('long')).toBeUndefined();
    expect(tokens.get('no-exp')).toBeUndefined();
    expect(tokens.size).toBe(0);
  });

  it('keeps nothing with maxAgeMs 0', () => {
    const tokens = new VerifiedTokens({ maxAgeMs: 0 });
    tokens.add('t', { sub: 'a', exp: Date.now() / 1000 + 3600 });
    expect(tokens.get('t')).toBeUndefined();
    expect(tokens.size).toBe(0);
  });

  it('does not keep a token that has already expired', () => {
    const tokens = new VerifiedTokens({ now: () => 5_000_000 });
    tokens.add('old', { sub: 'a', exp: 4_000 });
    expect(tokens.get('old')).toBeUndefined();
    expect(tokens.size).toBe(0);
  });

  it('drops the least recently used token beyond maxEntries', () => {
    const tokens = new VerifiedTokens({ maxEntries: 2 });
    tokens.add('a', { sub: 'a' });
    tokens.add('b', { sub: 'b' });
    expect(tokens.get('a')?.sub).toBe('a'); // a is now the most recently used
    tokens.add('c', { sub: 'c' });
    expect(tokens.get('b')).toBeUndefined();
    expect(tokens.get('a')?.sub).toBe('a');
    expect(tokens.get('c')?.sub).toBe('c');
  });
});

describe('JWT authentication with remembered tokens', () => {
  it('answers a remembered token without checking it again, and still refuses bad ones', async () => {
    const auth = await createJwtAuth({ secret: SECRET });
    const token = await auth.sign!({ userId: 'alice', spaces: ['alice', 'team'] }, 60);
    expect(await auth.verify(token)).toEqual({
      userId: 'alice',
      spaces: ['alice', 'team'],
      expiresAtMs: expect.any(Number),
    });
    expect(await auth.verify(token)).toEqual({
      userId: 'alice',
      spaces: ['alice', 'team'],
      expiresAtMs: expect.any(Number),
    });
    const [header, payload, signature] = token.split('.');
    const forged = `${header}.${payload}.${signature!.slice(0, -2)}${signature!.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect(auth.verify(forged)).rejects.toThrow(/signature/);
  });

  it('refuses a remembered token once it has expired', async () => {
    const auth = await createJwtAuth({ secret: SECRET });
    // exp is in whole seconds from a whole-second iat: a 2 s token lives between 1 and 2 s.
    const token = await auth.sign!({ userId: 'bob' }, 2);
    expect((await auth.verify(token)).userId).toBe('bob');
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await expect(auth.verify(token)).rejects.toThrow(/expired/);
  });
});
