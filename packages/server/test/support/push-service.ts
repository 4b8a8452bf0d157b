/**
 * A stand-in for a browser push service (FCM, Mozilla autopush, Apple): an HTTPS listener on
 * this machine that records what it receives, checks nothing itself, and answers each path
 * with a chosen status (or a redirect). Tests verify the VAPID signature and decrypt the
 * payload with the helpers below, written from RFC 8291 and RFC 8292 with node:crypto alone.
 *
 * Its certificate is the self-signed one below (valid 2000–2100, for localhost, push.test,
 * *.push.test, 127.0.0.1 and ::1), which the server trusts through `withPushTransport`.
 * Made with `openssl ca -selfsign -startdate 20000101000000Z -enddate 21000101000000Z`.
 */
import { createDecipheriv, createECDH, type ECDH, hkdfSync, randomBytes } from 'node:crypto';
import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { importJWK, jwtVerify } from 'jose';
import type { ResolveHost } from '../../src/web-push/endpoints.ts';

export const TEST_PUSH_CA = `-----BEGIN CERTIFICATE-----
MIIB1DCCAXqgAwIBAgIBATAKBggqhkjOPQQDAjAiMSAwHgYDVQQDDBdGZXJyeSB0
ZXN0IHB1c2ggc2VydmljZTAgFw0wMDAxMDEwMDAwMDBaGA8yMTAwMDEwMTAwMDAw
MFowIjEgMB4GA1UEAwwXRmVycnkgdGVzdCBwdXNoIHNlcnZpY2UwWTATBgcqhkjO
PQIBBggqhkjOPQMBBwNCAATdhwBgeCp9rluSdzI2BG9LjS7pFSRsNZ8b/OQntzmx
hXMDBXcUQtaIyLXcSbmEaR5R+5esCD3LhJ1KNDZZz5SBo4GeMIGbMEQGA1UdEQQ9
MDuCCWxvY2FsaG9zdIIJcHVzaC50ZXN0ggsqLnB1c2gudGVzdIcEfwAAAYcQAAAA
AAAAAAAAAAAAAAAAATAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIChDAT
BgNVHSUEDDAKBggrBgEFBQcDATAdBgNVHQ4EFgQU0D6Q0ZB+ddq32hf/KargAMsL
rcEwCgYIKoZIzj0EAwIDSAAwRQIhANpTulr8T+FZuh69iDBGsp8OaEt0X2xD8x9N
L6xIdJakAiAWsFXqXLqmcYVK7H7GhsrD3W1aZzyuYqWotTruiGucYA==
-----END CERTIFICATE-----`;
const TEST_PUSH_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg+teeIBNc+NPFSDLI
+dZAHP2cHhH+qwRYysi5o3E7SR2hRANCAATdhwBgeCp9rluSdzI2BG9LjS7pFSRs
NZ8b/OQntzmxhXMDBXcUQtaIyLXcSbmEaR5R+5esCD3LhJ1KNDZZz5SB
-----END PRIVATE KEY-----`;

export interface ReceivedMessage {
  path: string;
  host: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface PushService {
  /** `https://127.0.0.1:<port>` */
  origin: string;
  port: number;
  received: ReceivedMessage[];
  /** Status to answer for a path; default 201. */
  statusFor: Map<string, number>;
  /** Paths answered with `302 Found` and this `Location`. */
  redirectFor: Map<string, string>;
  close(): Promise<void>;
}

export async function startPushService(): Promise<PushService> {
  const received: ReceivedMessage[] = [];
  const statusFor = new Map<string, number>();
  const redirectFor = new Map<string, string>();
  const server: Server = createServer({ key: TEST_PUSH_KEY, cert: TEST_PUSH_CA }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      received.push({
        path,
        host: req.headers.host,
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      const location = redirectFor.get(path);
      if (location !== undefined) res.writeHead(302, { location });
      else res.statusCode = statusFor.get(path) ?? 201;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `https://127.0.0.1:${port}`,
    port,
    received,
    statusFor,
    redirectFor,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A DNS the test controls: each name answers what `answers` holds now, and every question is recorded. */
export interface TestResolver {
  resolveHost: ResolveHost;
  answers: Map<string, string[]>;
  asked: string[];
}

export function createTestResolver(entries: Record<string, string[]> = {}): TestResolver {
  const answers = new Map(Object.entries(entries));
  const asked: string[] = [];
  return {
    answers,
    asked,
    async resolveHost(hostname) {
      asked.push(hostname);
      const addresses = answers.get(hostname);
      if (!addresses) {
        const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
        error.code = 'ENOTFOUND';
        throw error;
      }
      return addresses.map(
        (address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 }),
      );
    },
  };
}

/** A browser's side of a subscription: its ECDH key pair and auth secret. */
export interface Subscriber {
  ecdh: ECDH;
  auth: Buffer;
  json(endpoint: string): {
    endpoint: string;
    expirationTime: null;
    keys: { p256dh: string; auth: string };
  };
}

export function createSubscriber(): Subscriber {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return {
    ecdh,
    auth,
    json: (endpoint) => ({
      endpoint,
      expirationTime: null,
      keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
    }),
  };
}

/** Decrypts an `aes128gcm` Web Push body (RFC 8291, one record). */
export function decryptPayload(body: Buffer, subscriber: Subscriber): string {
  const salt = body.subarray(0, 16);
  const idLength = body.readUInt8(20);
  const senderPublicKey = body.subarray(21, 21 + idLength);
  const ciphertext = body.subarray(21 + idLength);
  const sharedSecret = subscriber.ecdh.computeSecret(senderPublicKey);
  const keyInfo = Buffer.concat([
    Buffer.from('WebPush: info\0'),
    subscriber.ecdh.getPublicKey(),
    senderPublicKey,
  ]);
  const ikm = Buffer.from(hkdfSync('sha256', sharedSecret, subscriber.auth, keyInfo, 32));
  const key = Buffer.from(
    hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16),
  );
  const nonce = Buffer.from(
    hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12),
  );
  const decipher = createDecipheriv('aes-128-gcm', key, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([
    decipher.update(ciphertext.subarray(0, ciphertext.length - 16)),
    decipher.final(),
  ]);
  // The last record ends with the delimiter 0x02, then zero padding.
  const end = padded.lastIndexOf(2);
  return padded.subarray(0, end).toString('utf8');
}

/** Verifies the VAPID `Authorization: vapid t=…, k=…` header (RFC 8292) and returns its claims. */
export async function verifyVapid(header: string, expectedPublicKey: string) {
  const match = /^vapid t=([^,]+),\s*k=(.+)$/.exec(header);
  if (!match) throw new Error(`not a VAPID authorization header: ${header}`);
  const [, token, key] = match as unknown as [string, string, string];
  if (key !== expectedPublicKey) throw new Error('VAPID key differs from the server’s public key');
  const raw = Buffer.from(key, 'base64url');
  const jwk = {
    kty: 'EC',
    crv: 'P-256',
    x: raw.subarray(1, 33).toString('base64url'),
    y: raw.subarray(33, 65).toString('base64url'),
  };
  const { payload } = await jwtVerify(token, await importJWK(jwk, 'ES256'), {
    algorithms: ['ES256'],
  });
  return payload;
}

/** The server's Web Push messages by result, read from its `/metrics`. */
export async function webPushResults(serverUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${serverUrl}/metrics`)).text();
  const results: Record<string, number> = {};
  for (const match of text.matchAll(/^ferry_web_push_messages_total\{result="(\w+)"\} (\d+)$/gm))
    results[match[1]!] = Number(match[2]);
  return results;
}
