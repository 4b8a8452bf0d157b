/** `ferry serve`'s security flags as the configuration reads them, and what the server makes of them. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseServeConfig } from '../src/cli/config.ts';
import { authOptions, devAllowedHosts, publicMetrics } from '../src/cli/serve-security.ts';

const SECRET = randomBytes(48).toString('base64');
const METRICS_TOKEN = randomBytes(48).toString('base64');
const production = { FERRY_JWT_SECRET: SECRET };

describe('ferry serve security flags', () => {
  it('read the issuer, audience and token lifetime, flags winning over the environment', () => {
    const config = parseServeConfig(['--jwt-issuer', 'https://id.example/'], {
      ...production,
      FERRY_JWT_ISSUER: 'https://other.example/',
      FERRY_JWT_AUDIENCE: 'my-app',
      FERRY_MAX_TOKEN_LIFETIME: '3600',
    });
    expect(config).toMatchObject({
      jwtIssuer: 'https://id.example/',
      jwtAudience: 'my-app',
      maxTokenLifetimeSeconds: 3600,
    });
    expect(authOptions(config, SECRET)).toEqual({
      secret: SECRET,
      issuer: 'https://id.example/',
      audience: 'my-app',
      maxTokenLifetimeSeconds: 3600,
    });
    expect(
      parseServeConfig(['--max-token-lifetime', '0'], production).maxTokenLifetimeSeconds,
    ).toBe(0);
    expect(parseServeConfig([], production).maxTokenLifetimeSeconds).toBe(86400);
    for (const bad of ['-1', '1.5', 'a day'])
      expect(() => parseServeConfig(['--max-token-lifetime', bad], production)).toThrow(
        /--max-token-lifetime/,
      );
  });

  it('serve metrics on a separate address, behind a token, or not at all in production', () => {
    const separate = parseServeConfig(['--metrics-listen', '127.0.0.1:9464'], production);
    expect(separate.metricsListen).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(publicMetrics(separate)).toBe(false);
    expect(
      parseServeConfig([], { ...production, FERRY_METRICS_LISTEN: '[::1]:9464' }).metricsListen,
    ).toEqual({
      host: '::1',
      port: 9464,
    });
    for (const bad of ['9464', '127.0.0.1', '127.0.0.1:99999', 'http://127.0.0.1:9464'])
      expect(() => parseServeConfig(['--metrics-listen', bad], production)).toThrow(
        /--metrics-listen/,
      );

    const withToken = parseServeConfig([], { ...production, FERRY_METRICS_TOKEN: METRICS_TOKEN });
    expect(publicMetrics(withToken)).toEqual({ token: METRICS_TOKEN });
    expect(publicMetrics(parseServeConfig([], production))).toBe(false);
    expect(publicMetrics(parseServeConfig(['--dev'], {}))).toBe('public');
  });

  it('keep dev mode on loopback with the embedded database unless --dev-unsafe', () => {
    expect(() => parseServeConfig(['--dev', '--host', '0.0.0.0'], {})).toThrow(/--dev-unsafe/);
    expect(() => parseServeConfig(['--dev'], { HOST: '192.168.1.20' })).toThrow(/--host \(HOST\)/);
    expect(() => parseServeConfig(['--dev'], { DATABASE_URL: 'postgres://db/x' })).toThrow(
      /DATABASE_URL/,
    );
    for (const host of ['127.0.0.1', 'localhost', '::1', '127.0.0.2'])
      expect(parseServeConfig(['--dev', '--host', host], {}).host).toBe(host);

    const unsafe = parseServeConfig(['--dev', '--host', '0.0.0.0', '--dev-unsafe'], {});
    expect(unsafe.devUnsafe).toBe(true);
    expect(devAllowedHosts(unsafe)).toBe('loopback-or-ip');
    const onPostgres = parseServeConfig(['--dev'], {
      DATABASE_URL: 'postgres://db/x',
      FERRY_DEV_UNSAFE: '1',
    });
    expect(onPostgres.devUnsafe).toBe(true);
    // On a loopback address the Host check stays as strict as ever.
    expect(devAllowedHosts(onPostgres)).toBe('loopback');
    expect(devAllowedHosts(parseServeConfig(['--dev'], {}))).toBe('loopback');

    expect(() => parseServeConfig(['--dev-unsafe'], production)).toThrow(/without --dev/);
  });
});
