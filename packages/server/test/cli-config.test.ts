import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseServeConfig, SERVE_HELP } from '../src/cli/config.ts';
import { FerryConfigError } from '../src/errors.ts';

const SECRET = randomBytes(48).toString('base64');

describe('ferry serve configuration', () => {
  it('has the documented defaults in dev mode', () => {
    expect(parseServeConfig(['--dev'], {})).toEqual({
      port: 8787,
      host: '127.0.0.1',
      databaseUrl: undefined,
      databaseSchema: 'public',
      dataDir: './.ferry-data',
      pgliteSettings: {},
      jwtSecret: undefined,
      dev: true,
      compression: 'auto',
      logLevel: 'info',
      vapid: { subject: undefined, publicKey: undefined, privateKey: undefined },
      push: { endpointHosts: undefined, subscriptionsPerUser: undefined },
      nativePush: { fcmServiceAccountFile: undefined, apns: undefined, devicesPerUser: undefined },
      rateLimit: undefined,
      clientRateLimit: undefined,
      limits: {},
      jwtIssuer: undefined,
      jwtAudience: undefined,
      maxTokenLifetimeSeconds: 86400,
      metricsToken: undefined,
      metricsListen: undefined,
      devUnsafe: false,
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
    expect(parseServeConfig(['--dev'], { FERRY_COMPRESSION: 'auto' }).compression).toBe('auto');
    expect(parseServeConfig(['--dev', '--compression', 'always'], {}).compression).toBe(true);
    expect(parseServeConfig(['--dev', '--compression', 'never'], {}).compression).toBe(false);
    expect(
      parseServeConfig(['--dev', '--compression', 'auto'], { FERRY_COMPRESSION: '0' }).compression,
    ).toBe('auto');
    expect(
      parseServeConfig(['--dev', '--pglite-settings', 'shared_buffers=64MB, work_mem=4MB'], {
        FERRY_PGLITE_SETTINGS: 'temp_buffers=2MB',
      }).pgliteSettings,
    ).toEqual({ shared_buffers: '64MB', work_mem: '4MB' });
    expect(
      parseServeConfig(['--dev'], { FERRY_PGLITE_SETTINGS: 'temp_buffers=2MB' }).pgliteSettings,
    ).toEqual({ temp_buffers: '2MB' });
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
    expect(() => parseServeConfig(['--dev', '--compression', 'fast'], {})).toThrow(
      /--compression must be auto, always or never/,
    );
    for (const bad of ['shared_buffers', '=64MB', 'shared_buffers='])
      expect(() => parseServeConfig(['--dev', '--pglite-settings', bad], {})).toThrow(/name=value/);
    expect(() => parseServeConfig(['--dev', '--no-such-flag'], {})).toThrow(FerryConfigError);
  });

  it('reads the rate limits and per-user limits, from flags or the environment', () => {
    expect(
      parseServeConfig(
        [
          '--dev',
          '--rate-limit',
          '600/min',
          '--client-rate-limit',
          '5/s',
          '--max-event-streams-per-user',
          '8',
          '--max-queued-mutations-per-user',
          '0',
        ],
        { FERRY_MAX_NEW_CLIENT_IDS_PER_HOUR: '50', FERRY_MAX_EVENT_STREAMS_PER_USER: '64' },
      ),
    ).toMatchObject({
      rateLimit: { requestsPerSecond: 10, burst: 600 },
      clientRateLimit: { requestsPerSecond: 5, burst: 5 },
      limits: {
        maxEventStreamsPerUser: 8,
        maxNewClientIdsPerUserPerHour: 50,
        maxQueuedMutationsPerUser: 0,
      },
    });
    expect(
      parseServeConfig(['--dev'], { FERRY_RATE_LIMIT: '7200/h', FERRY_CLIENT_RATE_LIMIT: '' }),
    ).toMatchObject({
      rateLimit: { requestsPerSecond: 2, burst: 7200 },
      clientRateLimit: undefined,
      limits: {},
    });
  });

  it('refuses limits it cannot read, naming the flag', () => {
    for (const bad of ['20', '20/day', '0/s', '-1/s', '1.5/s', 's/20']) {
      expect(() => parseServeConfig(['--dev', '--rate-limit', bad], {})).toThrow(/--rate-limit/);
    }
    expect(() => parseServeConfig(['--dev'], { FERRY_CLIENT_RATE_LIMIT: 'many' })).toThrow(
      /--client-rate-limit/,
    );
    for (const bad of ['-1', '2.5', 'lots']) {
      expect(() => parseServeConfig(['--dev', '--max-event-streams-per-user', bad], {})).toThrow(
        /--max-event-streams-per-user/,
      );
    }
    expect(() => parseServeConfig(['--dev'], { FERRY_MAX_QUEUED_MUTATIONS_PER_USER: 'x' })).toThrow(
      /--max-queued-mutations-per-user/,
    );
  });

  it('reads the accepted push services and the subscriptions per user, from flags or the environment', () => {
    expect(
      parseServeConfig(['--dev', '--push-endpoint-hosts', 'push.example.com, *.push.apple.com'], {})
        .push,
    ).toEqual({
      endpointHosts: ['push.example.com', '*.push.apple.com'],
      subscriptionsPerUser: undefined,
    });
    const env = {
      FERRY_PUSH_ENDPOINT_HOSTS: 'fcm.googleapis.com',
      FERRY_PUSH_SUBSCRIPTIONS_PER_USER: '4',
    };
    expect(parseServeConfig(['--dev'], env).push).toEqual({
      endpointHosts: ['fcm.googleapis.com'],
      subscriptionsPerUser: 4,
    });
    expect(parseServeConfig(['--dev', '--push-subscriptions-per-user', '20'], env).push).toEqual({
      endpointHosts: ['fcm.googleapis.com'],
      subscriptionsPerUser: 20,
    });
    for (const bad of ['https://fcm.googleapis.com', 'fcm.googleapis.com/x', '*', ' , '])
      expect(() => parseServeConfig(['--dev', '--push-endpoint-hosts', bad], {})).toThrow(
        /--push-endpoint-hosts/,
      );
    for (const bad of ['0', '-1', '2.5', 'ten'])
      expect(() => parseServeConfig(['--dev'], { FERRY_PUSH_SUBSCRIPTIONS_PER_USER: bad })).toThrow(
        /--push-subscriptions-per-user/,
      );
  });

  it('reads the native push key files and ids, from flags or the environment, and wants all of APNs or none', () => {
    const apnsEnv = {
      FERRY_FCM_SERVICE_ACCOUNT: '/keys/firebase.json',
      FERRY_APNS_KEY_FILE: '/keys/AuthKey_ABC123DEFG.p8',
      FERRY_APNS_KEY_ID: 'ABC123DEFG',
      FERRY_APNS_TEAM_ID: 'TEAM123456',
      FERRY_APNS_BUNDLE_ID: 'com.example.app',
      FERRY_PUSH_DEVICES_PER_USER: '5',
    };
    expect(parseServeConfig(['--dev'], apnsEnv).nativePush).toEqual({
      fcmServiceAccountFile: '/keys/firebase.json',
      apns: {
        keyFile: '/keys/AuthKey_ABC123DEFG.p8',
        keyId: 'ABC123DEFG',
        teamId: 'TEAM123456',
        bundleId: 'com.example.app',
        sandbox: false,
      },
      devicesPerUser: 5,
    });
    expect(
      parseServeConfig(
        [
          '--dev',
          '--apns-sandbox',
          '--apns-bundle-id',
          'com.example.dev',
          '--fcm-service-account',
          'f.json',
        ],
        apnsEnv,
      ).nativePush,
    ).toMatchObject({
      fcmServiceAccountFile: 'f.json',
      apns: { bundleId: 'com.example.dev', sandbox: true },
    });
    expect(
      parseServeConfig(['--dev'], { ...apnsEnv, FERRY_APNS_SANDBOX: '1' }).nativePush.apns?.sandbox,
    ).toBe(true);
    expect(() =>
      parseServeConfig(['--dev', '--apns-key-file', 'k.p8', '--apns-key-id', 'ABC123DEFG'], {}),
    ).toThrow(/--apns-team-id \(FERRY_APNS_TEAM_ID\), --apns-bundle-id/);
    for (const bad of ['0', '-1', '2.5', 'ten'])
      expect(() => parseServeConfig(['--dev', '--push-devices-per-user', bad], {})).toThrow(
        /--push-devices-per-user/,
      );
  });

  it('reads the largest request body and value, from flags or the environment', () => {
    expect(
      parseServeConfig(['--dev', '--max-body-bytes', '8388608'], {
        FERRY_MAX_VALUE_BYTES: '2097152',
      }).limits,
    ).toEqual({ maxBodyBytes: 8388608, maxValueBytes: 2097152 });
    for (const bad of ['0', '-1', '1.5', '4MiB'])
      expect(() => parseServeConfig(['--dev', '--max-body-bytes', bad], {})).toThrow(
        /--max-body-bytes/,
      );
    expect(() => parseServeConfig(['--dev'], { FERRY_MAX_VALUE_BYTES: 'big' })).toThrow(
      /--max-value-bytes/,
    );
  });

  it('lists every flag in its help', () => {
    for (const flag of [
      '--rate-limit',
      '--client-rate-limit',
      '--max-event-streams-per-user',
      '--max-new-client-ids-per-hour',
      '--max-queued-mutations-per-user',
      '--push-endpoint-hosts',
      '--push-subscriptions-per-user',
      '--fcm-service-account',
      '--apns-key-file',
      '--apns-key-id',
      '--apns-team-id',
      '--apns-bundle-id',
      '--apns-sandbox',
      '--push-devices-per-user',
      '--jwt-issuer',
      '--jwt-audience',
      '--max-token-lifetime',
      '--metrics-token',
      '--metrics-listen',
      '--dev-unsafe',
      '--max-body-bytes',
      '--max-value-bytes',
    ]) {
      expect(SERVE_HELP).toContain(flag);
    }
  });
});
