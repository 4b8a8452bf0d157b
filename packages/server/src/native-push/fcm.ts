/**
 * Firebase Cloud Messaging, HTTP v1 API. The server signs a JWT assertion (RS256) with the
 * service account's private key, trades it at the account's token URI for an OAuth2 access
 * token (kept until shortly before it expires, one refresh at a time for every request),
 * and POSTs a data message per device to `/v1/projects/{project}/messages:send`: `data`
 * only, no `notification`, so the app is woken and shows nothing itself; high priority on
 * Android, and a background push (priority 5, `content-available`) for FCM tokens of iOS
 * apps, which FCM refuses at any other priority.
 *
 * A token FCM says is unregistered (404 `UNREGISTERED`) or not a registration token (400
 * `INVALID_ARGUMENT` about `message.token`) is gone; a 401 gets a fresh access token and
 * one more try.
 */
import { importPKCS8, SignJWT } from 'jose';
import { FerryConfigError } from '../errors.ts';
import type { H2Client } from './h2.ts';
import { type DeliveryOutcome, jsonBody, type NativePushProvider, wakeUpData } from './provider.ts';

/** The fields of a service account key file (JSON) that sending needs. */
export interface FcmServiceAccount {
  project_id: string;
  client_email: string;
  private_key: string;
  private_key_id?: string;
  /** Default `https://oauth2.googleapis.com/token`. */
  token_uri?: string;
}

export const FCM_ENDPOINT = 'https://fcm.googleapis.com';
export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const ASSERTION_LIFETIME_SECONDS = 3600;
/** An access token is replaced this long before it expires. */
const REFRESH_AHEAD_MS = 5 * 60_000;
/** After the token URI fails, requests fail at once for this long instead of asking again. */
const TOKEN_RETRY_MS = 5_000;

const OPTION = 'nativePush.fcm.serviceAccount';

function httpsUrl(value: string, option: string): URL {
  if (!URL.canParse(value) || new URL(value).protocol !== 'https:')
    throw new FerryConfigError(option, `${option} must be an https: URL, got "${value}".`);
  return new URL(value);
}

/** The service account from its key file's text or parsed JSON, checked. */
export function parseServiceAccount(value: unknown): FcmServiceAccount {
  let account = value;
  if (typeof value === 'string') {
    try {
      account = JSON.parse(value);
    } catch {
      throw new FerryConfigError(
        OPTION,
        `${OPTION} is not JSON: give the service account key file's contents (Firebase console → Project settings → Service accounts → Generate new private key), parsed or as text.`,
      );
    }
  }
  if (typeof account !== 'object' || account === null || Array.isArray(account))
    throw new FerryConfigError(OPTION, `${OPTION} must be a service account key (a JSON object).`);
  const fields = account as Record<string, unknown>;
  for (const field of ['project_id', 'client_email', 'private_key'] as const) {
    if (typeof fields[field] !== 'string' || fields[field] === '')
      throw new FerryConfigError(
        OPTION,
        `${OPTION} has no ${field}: give the whole key file of a service account of the Firebase project.`,
      );
  }
  const tokenUri = fields.token_uri ?? GOOGLE_TOKEN_URI;
  if (typeof tokenUri !== 'string')
    throw new FerryConfigError(OPTION, `${OPTION}.token_uri must be a string.`);
  httpsUrl(tokenUri, `${OPTION}.token_uri`);
  return {
    project_id: fields.project_id as string,
    client_email: fields.client_email as string,
    private_key: fields.private_key as string,
    ...(typeof fields.private_key_id === 'string' ? { private_key_id: fields.private_key_id } : {}),
    token_uri: tokenUri,
  };
}

export interface FcmSettings {
  serviceAccount: FcmServiceAccount;
  /** Origin of the FCM API; default `https://fcm.googleapis.com`. */
  endpoint: string;
  ttlSeconds: number;
}

export async function createFcmProvider(options: {
  settings: FcmSettings;
  http: H2Client;
  now: () => number;
}): Promise<NativePushProvider> {
  const { settings, http, now } = options;
  const account = settings.serviceAccount;
  const tokenUri = new URL(account.token_uri ?? GOOGLE_TOKEN_URI);
  const sendUrl = new URL(
    `/v1/projects/${encodeURIComponent(account.project_id)}/messages:send`,
    httpsUrl(settings.endpoint, 'nativePush.fcm.endpoint'),
  );
  let key: CryptoKey;
  try {
    key = await importPKCS8(account.private_key, 'RS256');
  } catch (error) {
    throw new FerryConfigError(
      `${OPTION}.private_key`,
      `${OPTION}.private_key is not an RSA private key in PEM (PKCS#8): give the key file as Google issued it.`,
      { cause: error },
    );
  }

  let cached: { token: string; refreshAtMs: number; expiresAtMs: number } | undefined;
  let refreshing: Promise<string> | undefined;
  let failure: { error: Error; untilMs: number } | undefined;

  async function fetchAccessToken(): Promise<string> {
    const issuedAt = Math.floor(now() / 1000);
    const assertion = await new SignJWT({ scope: SCOPE })
      .setProtectedHeader({
        alg: 'RS256',
        typ: 'JWT',
        ...(account.private_key_id === undefined ? {} : { kid: account.private_key_id }),
      })
      .setIssuer(account.client_email)
      .setAudience(tokenUri.href)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ASSERTION_LIFETIME_SECONDS)
      .sign(key);
    const response = await http.request(tokenUri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion,
      }).toString(),
    });
    const body = jsonBody(response.body) as
      | {
          access_token?: unknown;
          expires_in?: unknown;
          error?: unknown;
          error_description?: unknown;
        }
      | undefined;
    if (response.status !== 200 || typeof body?.access_token !== 'string') {
      const reason = [body?.error, body?.error_description].filter((s) => typeof s === 'string');
      throw new Error(
        `the token URI ${tokenUri.href} answered ${response.status}${reason.length > 0 ? ` (${reason.join(': ')})` : ''}: check the service account key`,
      );
    }
    const expiresInSeconds =
      typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
    const lifetimeMs = expiresInSeconds * 1000;
    const at = now();
    cached = {
      token: body.access_token,
      // Five minutes ahead, or halfway through a token that lives less than ten.
      refreshAtMs: at + Math.max(lifetimeMs - REFRESH_AHEAD_MS, lifetimeMs / 2),
      expiresAtMs: at + lifetimeMs,
    };
    return cached.token;
  }

  async function accessToken(): Promise<string> {
    const at = now();
    if (cached && at < cached.refreshAtMs) return cached.token;
    if (failure && at < failure.untilMs) {
      if (cached && at < cached.expiresAtMs) return cached.token;
      throw failure.error;
    }
    refreshing ??= fetchAccessToken()
      .then(
        (token) => {
          failure = undefined;
          return token;
        },
        (error: Error) => {
          failure = { error, untilMs: now() + TOKEN_RETRY_MS };
          throw error;
        },
      )
      .finally(() => {
        refreshing = undefined;
      });
    try {
      return await refreshing;
    } catch (error) {
      // Refreshing ahead failed: the token in hand still works until it expires.
      if (cached && now() < cached.expiresAtMs) return cached.token;
      throw error;
    }
  }

  function message(token: string, version: number): string {
    const ttl = `${settings.ttlSeconds}s`;
    return JSON.stringify({
      message: {
        token,
        data: wakeUpData(version),
        android: { priority: 'high', ttl, collapse_key: 'ferry' },
        apns: {
          headers: {
            'apns-push-type': 'background',
            'apns-priority': '5',
            'apns-expiration': String(Math.floor(now() / 1000) + settings.ttlSeconds),
          },
          payload: { aps: { 'content-available': 1 } },
        },
      },
    });
  }

  async function post(token: string, version: number) {
    return http.request(sendUrl, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await accessToken()}`,
        'content-type': 'application/json',
      },
      body: message(token, version),
    });
  }

  return {
    async send(device, version): Promise<DeliveryOutcome> {
      let response = await post(device.token, version);
      if (response.status === 401) {
        // The access token was revoked or expired early: one more try with a new one.
        cached = undefined;
        response = await post(device.token, version);
      }
      if (response.status >= 200 && response.status < 300) return { result: 'sent' };
      return classify(response.status, response.body);
    },
  };
}

interface FcmErrorBody {
  error?: {
    status?: string;
    message?: string;
    details?: { errorCode?: string; fieldViolations?: { field?: string }[] }[];
  };
}

/** What a failed send means for the token. */
export function classify(status: number, text: string): DeliveryOutcome {
  const error = (jsonBody(text) as FcmErrorBody | undefined)?.error;
  const details = Array.isArray(error?.details) ? error.details : [];
  const codes = details.map((d) => d?.errorCode).filter((c) => typeof c === 'string');
  const code = codes[0] ?? error?.status ?? `HTTP ${status}`;
  if (status === 404 && codes.includes('UNREGISTERED'))
    return { result: 'gone', reason: 'FCM answered 404 UNREGISTERED' };
  if (
    status === 400 &&
    (codes.includes('INVALID_ARGUMENT') || error?.status === 'INVALID_ARGUMENT')
  ) {
    const aboutToken =
      details.some((d) => d?.fieldViolations?.some((v) => v?.field === 'message.token')) ||
      /registration token/i.test(error?.message ?? '');
    if (aboutToken)
      return {
        result: 'gone',
        reason: 'FCM answered 400 INVALID_ARGUMENT: not a registration token',
      };
  }
  return {
    result: 'failed',
    status,
    reason: `FCM answered ${status} ${code}${error?.message ? `: ${error.message}` : ''}`,
  };
}
