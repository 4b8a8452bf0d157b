/**
 * Bearer-token authentication with JWTs: HS256 with a shared secret, RS256/ES256 (or other
 * asymmetric algorithms) with a public key, or keys from a JWKS URL (cached, refetched when
 * a token names an unknown key, so key rotation needs no restart). Only the configured
 * algorithms are accepted, so `alg: none` and algorithm-switching tokens fail.
 *
 * Claims: `sub` (the user), `spaces` (what the user may read and write; default `[sub]`),
 * `exp` (required, and at most `maxTokenLifetimeSeconds` after `iat` or now, unless
 * configured otherwise); optionally `iss` and `aud` when configured. Spaces may instead
 * come from the app's own data through `resolveSpaces`, cached with a bound.
 */
import { isValidName, isValidUserId } from '@ferry/protocol';
import {
  type CryptoKey,
  createRemoteJWKSet,
  importSPKI,
  type JWTPayload,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
  SignJWT,
} from 'jose';
import { FerryConfigError } from '../errors.ts';
import { type Authenticator, type Principal, requestToken, unauthorized } from './principal.ts';
import { MIN_SECRET_BYTES, SECRET_ADVICE, secretWeakness } from './secret-strength.ts';
import { SpacesCache, type SpacesCacheOptions } from './spaces-cache.ts';
import { VerifiedTokens, type VerifiedTokensOptions } from './verified-tokens.ts';

export { MIN_SECRET_BYTES };

/**
 * The longest lifetime a token may have unless configured otherwise: a day. Identity
 * providers issue access tokens for an hour or so; a longer-lived token is a long-lived
 * credential if it leaks.
 */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;

interface CommonJwtOptions {
  /** Required `iss` claim, when set. */
  issuer?: string;
  /** Required `aud` claim, when set. */
  audience?: string;
  /**
   * Refuse tokens without an `exp` claim; default true. Tokens that never expire are
   * credentials for good once they leak.
   */
  requireExpiry?: boolean;
  /**
   * Refuse tokens whose `exp` lies further than this from their `iat` (or from now, when
   * they have no `iat` or it is later); default 86 400 (a day). 0: no limit.
   */
  maxTokenLifetimeSeconds?: number;
  /**
   * Spaces from the app's data instead of the token's `spaces` claim (e.g. team
   * membership). Results are cached per user (see `spacesCache`).
   */
  resolveSpaces?: (user: { userId: string; claims: JWTPayload }) => Promise<readonly string[]>;
  spacesCache?: SpacesCacheOptions;
  /**
   * Verified tokens are remembered (never past their `exp`, at most `maxAgeMs`, default
   * 60 000) so that a client's next requests skip the signature check.
   */
  verifiedTokens?: VerifiedTokensOptions;
}

export type JwtAuthOptions = CommonJwtOptions &
  (
    | { secret: string }
    | { publicKey: string | CryptoKey; algorithms: string[] }
    | {
        jwksUrl: string | URL;
        algorithms?: string[];
        /** Fewest milliseconds between two key-set fetches (a token with an unknown key triggers one); default 30 000. */
        jwksCooldownMs?: number;
        /** Key sets older than this are refetched; default 600 000. */
        jwksMaxAgeMs?: number;
      }
  );

export interface JwtAuthenticator extends Authenticator {
  verify(token: string): Promise<Principal>;
  /** The longest token lifetime accepted, in seconds; 0 when there is no limit. */
  readonly maxTokenLifetimeSeconds: number;
  /**
   * Mints a token, with the configured `iss` and `aud`; only with a shared secret (HS256).
   * A `ttlSeconds` over `maxTokenLifetimeSeconds` throws a `FerryConfigError`.
   */
  sign?(
    principal: { userId: string; spaces?: readonly string[] },
    ttlSeconds: number,
  ): Promise<string>;
  /** Forgets cached spaces (all, or one user's). */
  invalidateSpaces(userId?: string): void;
}

const HS256 = 'HS256';

function explain(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'token has expired';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed)
    return 'token signature does not verify';
  if (error instanceof joseErrors.JOSEAlgNotAllowed)
    return 'token is signed with an algorithm this server does not accept';
  if (error instanceof joseErrors.JWTClaimValidationFailed)
    return `token claim "${error.claim}" is invalid`;
  if (error instanceof joseErrors.JWKSNoMatchingKey)
    return 'token is signed with a key the server does not know';
  return 'token is malformed';
}

function spacesFromClaims(userId: string, claims: JWTPayload): readonly string[] {
  const { spaces } = claims;
  if (spaces === undefined) return isValidName(userId) ? [userId] : [];
  if (!Array.isArray(spaces) || !spaces.every(isValidName)) {
    throw unauthorized('token claim "spaces" must be an array of space names');
  }
  return [...new Set(spaces as string[])];
}

async function importPublicKey(pem: string, algorithm: string): Promise<CryptoKey> {
  try {
    return await importSPKI(pem, algorithm);
  } catch (error) {
    throw new FerryConfigError(
      'publicKey',
      `publicKey could not be read as a ${algorithm} public key (${(error as Error).message}). Give the PEM text of the issuer's public key, from "-----BEGIN PUBLIC KEY-----" to "-----END PUBLIC KEY-----", and list its algorithm first in algorithms.`,
      { cause: error },
    );
  }
}

function jwksUrlOf(url: string | URL): URL {
  if (url instanceof URL) return url;
  try {
    return new URL(url);
  } catch (error) {
    throw new FerryConfigError(
      'jwksUrl',
      `jwksUrl "${url}" is not an absolute URL: give the identity provider's key set URL in full, e.g. "https://issuer.example/.well-known/jwks.json".`,
      { cause: error },
    );
  }
}

async function keyFor(
  options: JwtAuthOptions,
): Promise<{ key: Uint8Array | CryptoKey | JWTVerifyGetKey; algorithms: string[] }> {
  if ('secret' in options) {
    const weakness = secretWeakness(options.secret);
    if (weakness !== undefined) {
      throw new FerryConfigError(
        'secret',
        `The JWT secret is too weak: ${weakness}. Use a random one: ${SECRET_ADVICE}, and keep it out of the source (FERRY_JWT_SECRET).`,
      );
    }
    // Imported once: given raw bytes, jose would import the key again on every request.
    const key = await crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(options.secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
    return { key, algorithms: [HS256] };
  }
  if ('publicKey' in options) {
    if (options.algorithms.length === 0)
      throw new FerryConfigError(
        'algorithms',
        'publicKey authentication needs the algorithms its tokens are signed with: give algorithms, e.g. ["RS256"] or ["ES256"].',
      );
    const key =
      typeof options.publicKey === 'string'
        ? await importPublicKey(options.publicKey, options.algorithms[0]!)
        : options.publicKey;
    return { key, algorithms: options.algorithms };
  }
  const jwks = createRemoteJWKSet(jwksUrlOf(options.jwksUrl), {
    ...(options.jwksCooldownMs === undefined ? {} : { cooldownDuration: options.jwksCooldownMs }),
    ...(options.jwksMaxAgeMs === undefined ? {} : { cacheMaxAge: options.jwksMaxAgeMs }),
  });
  return { key: jwks, algorithms: options.algorithms ?? ['RS256', 'ES256'] };
}

function maxLifetimeOf(options: JwtAuthOptions): number {
  const value = options.maxTokenLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new FerryConfigError(
      'maxTokenLifetimeSeconds',
      `maxTokenLifetimeSeconds is ${value}; give a whole number of seconds (default ${DEFAULT_MAX_TOKEN_LIFETIME_SECONDS}, a day), or 0 for no limit.`,
    );
  }
  return value;
}

/**
 * Refuses a verified token that never expires (unless allowed) or lives longer than the
 * limit: from its `iat`, or from now when it has none or names a later one.
 */
function checkLifetime(
  claims: JWTPayload,
  requireExpiry: boolean,
  maxLifetimeSeconds: number,
): void {
  if (claims.exp === undefined) {
    if (requireExpiry)
      throw unauthorized('token has no "exp" claim; this server refuses tokens that never expire');
    return;
  }
  if (maxLifetimeSeconds === 0) return;
  const nowSeconds = Math.floor(Date.now() / 1000);
  const from = claims.iat === undefined ? nowSeconds : Math.min(claims.iat, nowSeconds);
  if (claims.exp - from > maxLifetimeSeconds) {
    throw unauthorized(
      `token expires too far ahead: this server accepts tokens that live at most ${maxLifetimeSeconds} seconds from "iat"`,
    );
  }
}

export async function createJwtAuth(options: JwtAuthOptions): Promise<JwtAuthenticator> {
  const maxLifetimeSeconds = maxLifetimeOf(options);
  const requireExpiry = options.requireExpiry ?? true;
  const { key, algorithms } = await keyFor(options);
  const cache = new SpacesCache(options.spacesCache);
  const verifyOptions = {
    algorithms,
    ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
    ...(options.audience === undefined ? {} : { audience: options.audience }),
  };

  const verified = new VerifiedTokens(options.verifiedTokens);

  async function verifiedClaims(token: string): Promise<JWTPayload> {
    const known = verified.get(token);
    if (known) return known;
    let claims: JWTPayload;
    try {
      // jose takes either a key or a key-resolving function; the overloads differ only in that.
      ({ payload: claims } = await jwtVerify(token, key as Uint8Array, verifyOptions));
    } catch (error) {
      throw unauthorized(explain(error));
    }
    if (!isValidUserId(claims.sub)) throw unauthorized('token has no valid "sub" claim');
    checkLifetime(claims, requireExpiry, maxLifetimeSeconds);
    verified.add(token, claims);
    return claims;
  }

  async function verify(token: string): Promise<Principal> {
    const claims = await verifiedClaims(token);
    const userId = claims.sub as string;
    const resolve = options.resolveSpaces;
    const expiresAtMs = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
    if (!resolve) return { userId, spaces: spacesFromClaims(userId, claims), expiresAtMs };
    // Through the cache, so a user's open streams share one lookup per `spacesCache.ttlMs`.
    const currentSpaces = () => cache.get(userId, () => resolve({ userId, claims }));
    return { userId, spaces: await currentSpaces(), expiresAtMs, currentSpaces };
  }

  const authenticator: JwtAuthenticator = {
    verify,
    maxTokenLifetimeSeconds: maxLifetimeSeconds,
    async authenticate(request, context) {
      const token = requestToken(request, context);
      if (token === undefined) throw unauthorized('missing bearer token');
      return verify(token);
    },
    invalidateSpaces: (userId) => cache.invalidate(userId),
  };
  if ('secret' in options) {
    const secretKey = key as CryptoKey;
    authenticator.sign = async ({ userId, spaces }, ttlSeconds) => {
      if (maxLifetimeSeconds > 0 && ttlSeconds > maxLifetimeSeconds) {
        throw new FerryConfigError(
          'ttlSeconds',
          `A token for ${ttlSeconds} seconds would be refused: this server accepts tokens that live at most ${maxLifetimeSeconds} seconds (maxTokenLifetimeSeconds). Sign shorter tokens and refresh them (the client's getToken({ refresh })), or raise maxTokenLifetimeSeconds.`,
        );
      }
      const jwt = new SignJWT(spaces ? { spaces: [...spaces] } : {})
        .setProtectedHeader({ alg: HS256, typ: 'JWT' })
        .setSubject(userId)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`);
      if (options.issuer !== undefined) jwt.setIssuer(options.issuer);
      if (options.audience !== undefined) jwt.setAudience(options.audience);
      return jwt.sign(secretKey);
    };
  }
  return authenticator;
}
