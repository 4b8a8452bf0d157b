import { describe, expect, it } from 'vitest';
import { parseServeConfig } from '../src/cli/config.ts';
import { FerryConfigError } from '../src/errors.ts';

const SECRET = 's'.repeat(32);

describe('ferry serve configuration', () => {
  it('has the documented defaults in dev mode', () => {
    expect(parseServeConfig(['--dev'], {})).toEqual({
      port: 8787,
      host: '127.0.0.1',
      databaseUrl: undefined,
      databaseSchema: 'public',
      dataDir: './.ferry-data',
      jwtSecret: undefined,
      dev: true,
      compression: true,
      logLevel: 'info',
      vapid: { subject: undefined, publicKey: undefined, privateKey: undefined },
    });
  });

  it('reads the environment, and flags win over it', () => {
    const env = {
      PORT: '9000',
      DATABASE_URL: 'postgres://db/x',
      FERRY_JWT_SECRET: SECRET,
      FERRY_DATA_DIR: '/d',
      LOG_LEVEL: 'warn',
    };
    expect(parseServeConfig([], env)).toMatchObject({
      port: 9000,
      databaseUrl: 'postgres://db/x',
      jwtSecret: SECRET,
      dataDir: '/d',
      dev: false,
      host: '0.0.0.0',
      logLevel: 'warn',
    });
    expect(
      parseServeConfig(['--port', '9001', '--database-url', 'postgres://other/y'], env),
    ).toMatchObject({ port: 9001, databaseUrl: 'postgres://other/y' });
    expect(parseServeConfig([], { FERRY_DEV: '1' }).dev).toBe(true);
    expect(parseServeConfig(['--database-schema', 'sync'], env).databaseSchema).toBe('sync');
    expect(parseServeConfig(['--dev', '--no-compression'], {}).compression).toBe(false);
    expect(parseServeConfig(['--dev'], { FERRY_COMPRESSION: 'off' }).compression).toBe(false);
    expect(parseServeConfig(['--dev'], { FERRY_COMPRESSION: '1' }).compression).toBe(true);
  });

  it('refuses to start in production without a secret, and says how to fix it', () => {
    expect(() => parseServeConfig([], {})).toThrow(FerryConfigError);
    expect(() => parseServeConfig([], {})).toThrow(/FERRY_JWT_SECRET/);
  });

  it('refuses bad values', () => {
    expect(() => parseServeConfig(['--dev', '--port', 'eighty'], {})).toThrow(/port/);
    expect(() => parseServeConfig(['--dev', '--port', '70000'], {})).toThrow(/port/);
    expect(() => parseServeConfig(['--jwt-secret', 'short'], {})).toThrow(/32 bytes/);
    expect(() => parseServeConfig(['--dev', '--log-level', 'loud'], {})).toThrow(/log level/);
    expect(() => parseServeConfig(['--dev'], { FERRY_COMPRESSION: 'maybe' })).toThrow(
      /FERRY_COMPRESSION/,
    );
    expect(() => parseServeConfig(['--dev', '--no-such-flag'], {})).toThrow(FerryConfigError);
  });
});
