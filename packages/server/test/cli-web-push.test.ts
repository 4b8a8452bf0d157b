/** `ferry serve --push-endpoint-hosts` reaches the server: only the push services it names are accepted. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { parseServeConfig } from '../src/cli/config.ts';
import { serve } from '../src/cli/serve.ts';
import { createSubscriber } from './support/push-service.ts';

describe('ferry serve and Web Push', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-cli-push-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('accepts endpoints only on the hosts --push-endpoint-hosts names', async () => {
    const secret = randomBytes(48).toString('base64');
    const config = parseServeConfig(
      ['--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--log-level', 'silent'],
      { FERRY_JWT_SECRET: secret, FERRY_PUSH_ENDPOINT_HOSTS: 'push.example.com' },
    );
    const lines: string[] = [];
    const running = await serve(config, { line: (text) => lines.push(text) });
    try {
      const url = /listening on (http:\/\/\S+)/.exec(lines.join('\n'))?.[1];
      expect(url).toBeDefined();
      const token = await new SignJWT({ sub: 'alice' })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(secret));
      const subscribe = async (endpoint: string) => {
        const response = await fetch(`${url}/v1/push/subscriptions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(createSubscriber().json(endpoint)),
        });
        return { status: response.status, body: await response.json() };
      };
      // A browser push service, but not one this server was told to accept.
      const fcm = await subscribe('https://fcm.googleapis.com/fcm/send/abc');
      expect(fcm.status).toBe(400);
      expect(fcm.body.error.message).toMatch(/not an accepted push service/);
      // The named host passes the list (and goes on to the address check).
      const named = await subscribe('https://push.example.com/abc');
      expect(named.body.error?.message ?? '').not.toMatch(/not an accepted push service/);
    } finally {
      await running.stop();
    }
  });
});
