/** `ferry serve` with native push: the key files reach the server, which then takes phones' tokens. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { parseServeConfig } from '../src/cli/config.ts';
import { serve } from '../src/cli/serve.ts';
import {
  apnsToken,
  createTestApnsKey,
  createTestServiceAccount,
  fcmToken,
} from './support/native-push-services.ts';

describe('ferry serve and native push', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-cli-native-push-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const secret = randomBytes(48).toString('base64');
  const base = ['--host', '127.0.0.1', '--port', '0', '--log-level', 'silent'];

  it('reads the FCM service account and the APNs key from files, says so, and accepts both kinds of token', async () => {
    const accountFile = join(dir, 'firebase.json');
    writeFileSync(
      accountFile,
      JSON.stringify(
        createTestServiceAccount('https://oauth2.googleapis.com/token').serviceAccount,
      ),
    );
    const key = createTestApnsKey();
    const keyFile = join(dir, `AuthKey_${key.keyId}.p8`);
    writeFileSync(keyFile, key.privateKey);
    const config = parseServeConfig([...base, '--data-dir', join(dir, 'data')], {
      FERRY_JWT_SECRET: secret,
      FERRY_FCM_SERVICE_ACCOUNT: accountFile,
      FERRY_APNS_KEY_FILE: keyFile,
      FERRY_APNS_KEY_ID: key.keyId,
      FERRY_APNS_TEAM_ID: key.teamId,
      FERRY_APNS_BUNDLE_ID: key.bundleId,
    });
    const lines: string[] = [];
    const running = await serve(config, { line: (text) => lines.push(text) });
    try {
      expect(lines).toContain(
        `Native push: FCM and APNs for ${key.bundleId} (production by default)`,
      );
      const url = /listening on (http:\/\/\S+)/.exec(lines.join('\n'))?.[1];
      const token = await new SignJWT({ sub: 'alice' })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(secret));
      for (const device of [
        { platform: 'fcm', token: fcmToken('alice') },
        { platform: 'apns', token: apnsToken(), environment: 'sandbox' },
      ]) {
        const response = await fetch(`${url}/v1/devices`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(device),
        });
        expect(response.status).toBe(201);
      }
    } finally {
      await running.stop();
    }
  });

  it('refuses to start, naming the flag, when a key file cannot be read', async () => {
    const config = parseServeConfig([...base, '--data-dir', join(dir, 'data-2')], {
      FERRY_JWT_SECRET: secret,
      FERRY_FCM_SERVICE_ACCOUNT: join(dir, 'missing.json'),
    });
    await expect(serve(config, { line: () => {} })).rejects.toMatchObject({
      name: 'FerryConfigError',
      option: '--fcm-service-account',
      message: expect.stringMatching(/cannot read .*missing\.json \(ENOENT\)/),
    });
  });
});
