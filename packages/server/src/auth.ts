/**
 * Bearer-token authentication: HS256 JWTs signed with the server's secret. Claims: `sub`
 * (the user), `spaces` (what the user may read and write; default `[sub]`), `exp`.
 * Only HS256 is accepted, so `alg: none` and algorithm-switching tokens fail.
 */
import { FerryError, isValidName, isValidUserId } from '@ferry/protocol';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';

export interface Principal {
  userId: string;
  /** Spaces the user may read and write, in the token's order. */
  spaces: readonly string[];
}

export interface JwtAuth {
  verify(token: string): Promise<Principal>;
  sign(
    principal: { userId: string; spaces?: readonly string[] },
    ttlSeconds: number,
  ): Promise<string>;
}

const ALGORITHM = 'HS256';
/** HS256 keys shorter than this are brute-forceable. */
export const MIN_SECRET_BYTES = 32;

function unauthorized(message: string): FerryError {
  return new FerryError('unauthorized', message);
}

function explain(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'token has expired';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed)
    return 'token signature does not match the server secret';
  if (error instanceof joseErrors.JOSEAlgNotAllowed)
    return `token must be signed with ${ALGORITHM}`;
  if (error instanceof joseErrors.JWTClaimValidationFailed)
    return `token claim "${error.claim}" is invalid`;
  return 'token is malformed';
}

export function createJwtAuth(secret: string): JwtAuth {
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
    throw new Error(`the JWT secret must be at least ${MIN_SECRET_BYTES} bytes long`);
  }
  const key = new TextEncoder().encode(secret);
  return {
    async verify(token) {
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(token, key, { algorithms: [ALGORITHM] }));
      } catch (error) {
        throw unauthorized(explain(error));
      }
      const { sub, spaces } = payload;
      if (!isValidUserId(sub)) throw unauthorized('token has no valid "sub" claim');
      if (spaces === undefined) return { userId: sub, spaces: isValidName(sub) ? [sub] : [] };
      if (!Array.isArray(spaces) || !spaces.every(isValidName)) {
        throw unauthorized('token claim "spaces" must be an array of space names');
      }
      return { userId: sub, spaces: [...new Set(spaces as string[])] };
    },
    async sign({ userId, spaces }, ttlSeconds) {
      const jwt = new SignJWT(spaces ? { spaces: [...spaces] } : {})
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
        .setSubject(userId)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`);
      return jwt.sign(key);
    },
  };
}

/** The token from `Authorization: Bearer …`, or undefined when the header is absent. */
export function bearerToken(header: string | undefined | null): string | undefined {
  if (header === undefined || header === null) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthorized('Authorization header must be "Bearer <token>"');
  return match[1];
}
