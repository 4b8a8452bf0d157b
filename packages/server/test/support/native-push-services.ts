/**
 * Stand-ins for FCM (its OAuth2 token URI and the HTTP v1 send API) and APNs: HTTP/2 TLS
 * listeners on this machine that check what a real service checks — the JWT assertion's
 * RS256 signature against the test service account's public key, the access token on each
 * send, the APNs provider token's ES256 signature, `kid`, `iss` and age against the test
 * key, and the headers a background push needs — refuse what fails as the real one would,
 * and record every message. Each token can be told to answer otherwise (unregistered, a
 * bad token, 500) or to hang until `release()`.
 *
 * Their certificate is the self-signed one below (valid 2000–2100, for localhost,
 * fcm.test, apns.test, 127.0.0.1 and ::1), which the server trusts through
 * `withNativePushTransport`. Made with `openssl ca -selfsign -startdate 20000101000000Z
 * -enddate 21000101000000Z`. The service account and the .p8 key are made afresh for each
 * test file.
 */
import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import {
  constants,
  createSecureServer,
  type Http2SecureServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import type { FcmServiceAccount } from '../../src/index.ts';

export const TEST_NATIVE_PUSH_CA = `-----BEGIN CERTIFICATE-----
MIIB4DCCAYegAwIBAgIBATAKBggqhkjOPQQDAjAqMSgwJgYDVQQDDB9GZXJyeSB0
ZXN0IG5hdGl2ZSBwdXNoIHNlcnZpY2VzMCAXDTAwMDEwMTAwMDAwMFoYDzIxMDAw
MTAxMDAwMDAwWjAqMSgwJgYDVQQDDB9GZXJyeSB0ZXN0IG5hdGl2ZSBwdXNoIHNl
cnZpY2VzMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEKs1zwkoYtTu7K5JXHkYY
YFoGx1KkulIO2B9Fflu5Y+mo036BqzTfh5pJTUs3vIZfd7bxMZcyUS3OOib6Jaof
nqOBmzCBmDBBBgNVHREEOjA4gglsb2NhbGhvc3SCCGZjbS50ZXN0gglhcG5zLnRl
c3SHBH8AAAGHEAAAAAAAAAAAAAAAAAAAAAEwDwYDVR0TAQH/BAUwAwEB/zAOBgNV
HQ8BAf8EBAMCAoQwEwYDVR0lBAwwCgYIKwYBBQUHAwEwHQYDVR0OBBYEFN+i6qKx
9lo1U4JzfJO1744NNcWKMAoGCCqGSM49BAMCA0cAMEQCIBQhVcHFA5xhKHpvDSXR
GZIoKPqVcbxYnJTkxIPcHyUuAiA1R0VexshFJfj9sEm5T5y6y/UjQb7BRjP5o3F9
KGZQdw==
-----END CERTIFICATE-----`;
const TEST_NATIVE_PUSH_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg3s+7qUxPh1f68g82
/QngWh0tRacEbfV6PtIAwr3b+9GhRANCAAQqzXPCShi1O7srklceRhhgWgbHUqS6
Ug7YH0V+W7lj6ajTfoGrNN+HmklNSze8hl93tvExlzJRLc46Jvolqh+e
-----END PRIVATE KEY-----`;

/** How a stand-in answers one token instead of accepting the message. */
export type TokenBehaviour =
  | 'unregistered'
  | 'bad-token'
  | 'hang'
  /** The stream is reset (RST_STREAM) without an answer. */
  | 'reset'
  | { status: number; body?: unknown };

interface Listener {
  server: Http2SecureServer;
  origin: string;
  hung: Set<Http2ServerResponse>;
  close(): Promise<void>;
}

function readBody(request: Http2ServerRequest): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function answer(response: Http2ServerResponse, status: number, body?: unknown): void {
  if (response.stream.destroyed || response.stream.closed) return;
  if (body === undefined) {
    response.writeHead(status);
    response.end();
  } else {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  }
}

async function listen(
  handle: (request: Http2ServerRequest, response: Http2ServerResponse) => Promise<void>,
): Promise<Listener> {
  const hung = new Set<Http2ServerResponse>();
  const server = createSecureServer(
    { key: TEST_NATIVE_PUSH_KEY, cert: TEST_NATIVE_PUSH_CA, allowHTTP1: true },
    (request, response) => {
      handle(request, response).catch((error: unknown) =>
        answer(response, 500, { error: String(error) }),
      );
    },
  );
  const sessions = new Set<import('node:http2').ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `https://127.0.0.1:${port}`,
    hung,
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A message the FCM stand-in accepted. */
export interface FcmReceived {
  token: string;
  message: Record<string, any>;
  authority: string | undefined;
}

export interface FcmService {
  origin: string;
  /** The service account to configure: its `token_uri` is the stand-in's. */
  serviceAccount: FcmServiceAccount;
  received: FcmReceived[];
  /** Every assertion the token URI accepted, decoded. */
  assertions: { header: Record<string, unknown>; claims: JWTPayload }[];
  /** Requests refused for a bad assertion or access token, with the reason. */
  refused: string[];
  /** The `expires_in` of access tokens issued from now on; default 3600. */
  accessTokenSeconds: number;
  /** Access tokens from now on are refused with 401 (as if revoked). */
  revokeAccessTokens(): void;
  behaviour: Map<string, TokenBehaviour>;
  /** Sends that are hanging now. */
  readonly hanging: number;
  /** Answers every hanging send with 200. */
  release(): void;
  close(): Promise<void>;
}

export function createTestServiceAccount(tokenUri: string): {
  serviceAccount: FcmServiceAccount;
  publicKey: KeyObject;
} {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicKey,
    serviceAccount: {
      project_id: 'ferry-test',
      client_email: 'ferry-push@ferry-test.iam.gserviceaccount.com',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      private_key_id: randomBytes(20).toString('hex'),
      token_uri: tokenUri,
    },
  };
}

export async function startFcmService(): Promise<FcmService> {
  const received: FcmReceived[] = [];
  const assertions: FcmService['assertions'] = [];
  const refused: string[] = [];
  const behaviour = new Map<string, TokenBehaviour>();
  const accessTokens = new Set<string>();
  const state = { accessTokenSeconds: 3600 };
  let account: { serviceAccount: FcmServiceAccount; publicKey: KeyObject } | undefined;

  const listener = await listen(async (request, response) => {
    const body = await readBody(request);
    const path = request.url;
    if (request.method === 'POST' && path === '/token') {
      const form = new URLSearchParams(body);
      try {
        if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
          throw new Error(`grant_type ${form.get('grant_type')}`);
        const assertion = form.get('assertion') ?? '';
        const { payload, protectedHeader } = await jwtVerify(assertion, account!.publicKey, {
          algorithms: ['RS256'],
          issuer: account!.serviceAccount.client_email,
          audience: account!.serviceAccount.token_uri!,
          requiredClaims: ['iat', 'exp'],
        });
        if (payload.scope !== 'https://www.googleapis.com/auth/firebase.messaging')
          throw new Error(`scope ${String(payload.scope)}`);
        if (protectedHeader.kid !== account!.serviceAccount.private_key_id)
          throw new Error(`kid ${String(protectedHeader.kid)}`);
        if (payload.exp! - payload.iat! > 3600) throw new Error('assertion lives over an hour');
        assertions.push({ header: decodeProtectedHeader(assertion), claims: payload });
      } catch (error) {
        refused.push(`assertion: ${(error as Error).message}`);
        answer(response, 400, { error: 'invalid_grant', error_description: 'Invalid JWT' });
        return;
      }
      const token = `ya29.${randomBytes(24).toString('base64url')}`;
      accessTokens.add(token);
      answer(response, 200, {
        access_token: token,
        expires_in: state.accessTokenSeconds,
        token_type: 'Bearer',
      });
      return;
    }
    const project = account!.serviceAccount.project_id;
    if (request.method !== 'POST' || path !== `/v1/projects/${project}/messages:send`) {
      answer(response, 404, { error: { code: 404, status: 'NOT_FOUND', message: path } });
      return;
    }
    const bearer = /^Bearer (.+)$/.exec(String(request.headers.authorization))?.[1];
    if (bearer === undefined || !accessTokens.has(bearer)) {
      refused.push('send: access token not issued or revoked');
      answer(response, 401, {
        error: { code: 401, status: 'UNAUTHENTICATED', message: 'invalid credentials' },
      });
      return;
    }
    const message = (JSON.parse(body) as { message: Record<string, any> }).message;
    const token = String(message.token);
    const chosen = behaviour.get(token);
    if (chosen === 'hang') {
      listener.hung.add(response);
      response.stream.on('close', () => listener.hung.delete(response));
      return;
    }
    if (chosen === 'reset') {
      response.stream.close(constants.NGHTTP2_INTERNAL_ERROR);
      return;
    }
    if (chosen === 'unregistered') {
      answer(response, 404, {
        error: {
          code: 404,
          message: 'Requested entity was not found.',
          status: 'NOT_FOUND',
          details: [
            {
              '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError',
              errorCode: 'UNREGISTERED',
            },
          ],
        },
      });
      return;
    }
    if (chosen === 'bad-token') {
      answer(response, 400, {
        error: {
          code: 400,
          message: 'The registration token is not a valid FCM registration token',
          status: 'INVALID_ARGUMENT',
          details: [
            {
              '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError',
              errorCode: 'INVALID_ARGUMENT',
            },
          ],
        },
      });
      return;
    }
    if (chosen !== undefined) {
      answer(response, chosen.status, chosen.body);
      return;
    }
    received.push({ token, message, authority: request.authority });
    answer(response, 200, {
      name: `projects/${project}/messages/${randomBytes(8).toString('hex')}`,
    });
  });
  account = createTestServiceAccount(`${listener.origin}/token`);

  return {
    origin: listener.origin,
    serviceAccount: account.serviceAccount,
    received,
    assertions,
    refused,
    get accessTokenSeconds() {
      return state.accessTokenSeconds;
    },
    set accessTokenSeconds(seconds: number) {
      state.accessTokenSeconds = seconds;
    },
    revokeAccessTokens: () => accessTokens.clear(),
    behaviour,
    get hanging() {
      return listener.hung.size;
    },
    release() {
      for (const response of listener.hung) answer(response, 200, { name: 'released' });
    },
    close: listener.close,
  };
}

/** A message the APNs stand-in accepted. */
export interface ApnsReceived {
  token: string;
  headers: Record<string, string | string[] | undefined>;
  payload: Record<string, any>;
  /** The provider token's claims and header. */
  claims: JWTPayload;
  kid: string | undefined;
}

export interface ApnsService {
  origin: string;
  received: ApnsReceived[];
  /** Requests refused for a bad provider token or headers, with the reason. */
  refused: string[];
  behaviour: Map<string, TokenBehaviour>;
  readonly hanging: number;
  release(): void;
  close(): Promise<void>;
}

/** An APNs signing key as Apple issues it (a .p8 file: PKCS#8 PEM, P-256), with its ids. */
export interface TestApnsKey {
  keyId: string;
  teamId: string;
  bundleId: string;
  privateKey: string;
  publicKey: KeyObject;
}

export function createTestApnsKey(): TestApnsKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    keyId: 'ABC123DEFG',
    teamId: 'TEAM123456',
    bundleId: 'com.example.ferry',
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey,
  };
}

export async function startApnsService(key: TestApnsKey): Promise<ApnsService> {
  const received: ApnsReceived[] = [];
  const refused: string[] = [];
  const behaviour = new Map<string, TokenBehaviour>();
  const listener = await listen(async (request, response) => {
    const body = await readBody(request);
    const token = /^\/3\/device\/([0-9a-f]+)$/.exec(request.url)?.[1];
    if (request.method !== 'POST' || token === undefined) {
      answer(response, 404, { reason: 'BadPath' });
      return;
    }
    const bearer = /^bearer (.+)$/.exec(String(request.headers.authorization))?.[1];
    let claims: JWTPayload;
    let kid: string | undefined;
    try {
      if (bearer === undefined) throw new Error('MissingProviderToken');
      const verified = await jwtVerify(bearer, key.publicKey, {
        algorithms: ['ES256'],
        issuer: key.teamId,
        requiredClaims: ['iat'],
      });
      claims = verified.payload;
      kid = verified.protectedHeader.kid;
      if (kid !== key.keyId) throw new Error('InvalidProviderToken');
      if (Date.now() / 1000 - claims.iat! > 3600) {
        refused.push('ExpiredProviderToken');
        answer(response, 403, { reason: 'ExpiredProviderToken' });
        return;
      }
    } catch (error) {
      refused.push(`provider token: ${(error as Error).message}`);
      answer(response, 403, { reason: 'InvalidProviderToken' });
      return;
    }
    const headers = request.headers;
    const wrong = [
      ['apns-push-type', 'background', 'InvalidPushType'],
      ['apns-priority', '5', 'BadPriority'],
      ['apns-topic', key.bundleId, 'DeviceTokenNotForTopic'],
    ].find(([name, value]) => headers[name!] !== value);
    if (wrong) {
      refused.push(`${wrong[0]}: ${String(headers[wrong[0]!])}`);
      answer(response, 400, { reason: wrong[2] });
      return;
    }
    const chosen = behaviour.get(token);
    if (chosen === 'hang') {
      listener.hung.add(response);
      response.stream.on('close', () => listener.hung.delete(response));
      return;
    }
    if (chosen === 'reset') {
      response.stream.close(constants.NGHTTP2_INTERNAL_ERROR);
      return;
    }
    if (chosen === 'unregistered') {
      answer(response, 410, { reason: 'Unregistered', timestamp: Date.now() });
      return;
    }
    if (chosen === 'bad-token') {
      answer(response, 400, { reason: 'BadDeviceToken' });
      return;
    }
    if (chosen !== undefined) {
      answer(response, chosen.status, chosen.body);
      return;
    }
    received.push({ token, headers, payload: JSON.parse(body), claims, kid });
    response.writeHead(200, { 'apns-id': randomBytes(16).toString('hex') });
    response.end();
  });
  return {
    origin: listener.origin,
    received,
    refused,
    behaviour,
    get hanging() {
      return listener.hung.size;
    },
    release() {
      for (const response of listener.hung) answer(response, 200);
    },
    close: listener.close,
  };
}

/** An FCM registration token, shaped like a real one. */
export function fcmToken(label: string): string {
  return `${label}:APA91b${randomBytes(100).toString('base64url')}`;
}

/** An APNs device token: 32 bytes in hex. */
export function apnsToken(): string {
  return randomBytes(32).toString('hex');
}

/** The server's native push messages by platform and result, read from its `/metrics`. */
export async function nativePushResults(serverUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${serverUrl}/metrics`)).text();
  const results: Record<string, number> = {};
  for (const match of text.matchAll(
    /^ferry_native_push_messages_total\{platform="(\w+)",result="(\w+)"\} (\d+)$/gm,
  ))
    results[`${match[1]}:${match[2]}`] = Number(match[3]);
  return results;
}
