/**
 * Regression: a secret was checked for length only, so 32 × "a" signed tokens (and anyone
 * could guess it). Secrets typed by hand, made of repeats and runs, are refused by the
 * library, by `ferry serve` and for the metrics token; random ones of the advised kinds pass.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { secretWeakness } from '../src/auth/secret-strength.ts';
import { parseServeConfig } from '../src/cli/config.ts';
import { resolveMetricsAccess } from '../src/http/metrics-route.ts';
import { createJwtAuth, FerryConfigError } from '../src/index.ts';

const WEAK = {
  'one character': 'a'.repeat(32),
  'two characters': `${'a'.repeat(16)}${'b'.repeat(16)}`,
  'alternating characters': 'ab'.repeat(24),
  'repeated digits': '0123456789'.repeat(4),
  'digits, once round and a bit': '01234567890123456789012345678901',
  'a run through the alphabet': 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEF',
  'a random-looking block repeated': 'k3X9qZLp7mWr'.repeat(3),
  'a hex block repeated': 'deadbeefcafe1234'.repeat(3),
};

const STRONG = {
  'base64 of 48 random bytes': () => randomBytes(48).toString('base64'),
  'base64url of 48 random bytes': () => randomBytes(48).toString('base64url'),
  'hex of 32 random bytes': () => randomBytes(32).toString('hex'),
  'base64 of 24 random bytes': () => randomBytes(24).toString('base64'),
};

describe('secret strength', () => {
  it.each(Object.entries(WEAK))('refuses %s', (_name, secret) => {
    expect(secretWeakness(secret)).toBeDefined();
  });

  it.each(Object.entries(STRONG))('accepts %s, every time', (_name, make) => {
    // Random secrets are each judged afresh: none of many may be refused.
    for (let i = 0; i < 500; i++) {
      const secret = make();
      expect(secretWeakness(secret), secret).toBeUndefined();
    }
  });

  it('still refuses a short secret, saying how long it is', () => {
    expect(secretWeakness('too-short')).toMatch(/9 bytes long; it must be at least 32 bytes/);
  });

  it('is checked by createJwtAuth, with a message saying how to make one', async () => {
    const error = await createJwtAuth({ secret: 'a'.repeat(32) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FerryConfigError);
    expect(error).toMatchObject({ option: 'secret' });
    expect((error as Error).message).toMatch(/too weak: it uses 1 different characters/);
    expect((error as Error).message).toMatch(/openssl rand -base64 48/);
    await expect(
      createJwtAuth({ secret: randomBytes(48).toString('base64') }),
    ).resolves.toBeDefined();
  });

  it('is checked by ferry serve for --jwt-secret and FERRY_JWT_SECRET', () => {
    for (const secret of Object.values(WEAK)) {
      expect(() => parseServeConfig(['--jwt-secret', secret], {})).toThrow(/--jwt-secret|too weak/);
      expect(() => parseServeConfig([], { FERRY_JWT_SECRET: secret })).toThrow(
        /openssl rand -base64 48/,
      );
    }
    const strong = randomBytes(48).toString('base64');
    expect(parseServeConfig([], { FERRY_JWT_SECRET: strong }).jwtSecret).toBe(strong);
  });

  it('is checked for the metrics token, in ferry serve and in the library', () => {
    expect(() =>
      parseServeConfig(['--dev', '--metrics-token', '0123456789'.repeat(4)], {}),
    ).toThrow(/metrics token is too weak/);
    expect(() => resolveMetricsAccess({ token: 'x'.repeat(40) })).toThrow(FerryConfigError);
  });
});
