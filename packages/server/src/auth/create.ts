import { FerryConfigError } from '../errors.ts';
import { createJwtAuth, type JwtAuthenticator, type JwtAuthOptions } from './jwt.ts';
import type { Authenticator } from './principal.ts';

/**
 * The authenticator the server options describe, a token signer when it has a secret, and
 * the longest token lifetime it accepts (0: no limit) when it is a JWT authenticator.
 */
export async function createAuthenticator(options: {
  auth?: JwtAuthOptions | Authenticator | undefined;
  jwtSecret?: string | undefined;
}): Promise<{
  auth: Authenticator;
  sign: JwtAuthenticator['sign'];
  maxTokenLifetimeSeconds: number | undefined;
}> {
  const { auth, jwtSecret } = options;
  if ((auth === undefined) === (jwtSecret === undefined)) {
    throw new FerryConfigError(
      'auth',
      auth === undefined
        ? 'No way to authenticate requests: give jwtSecret (an HS256 secret of at least 32 bytes, e.g. from `openssl rand -base64 48`) or auth (createJwtAuth(...), customAuth(...) or JWT options).'
        : 'Both auth and jwtSecret were given: give only one (jwtSecret is short for auth: { secret }).',
    );
  }
  if (auth !== undefined && typeof (auth as { then?: unknown }).then === 'function') {
    throw new FerryConfigError(
      'auth',
      'auth is a Promise: createJwtAuth(...) is async, so give `auth: await createJwtAuth(...)`.',
    );
  }
  if (auth !== undefined && 'authenticate' in auth) {
    // An authenticator made with createJwtAuth({ secret }) can still mint tokens.
    const { sign, maxTokenLifetimeSeconds } = auth as Partial<JwtAuthenticator>;
    return { auth, sign: sign?.bind(auth), maxTokenLifetimeSeconds };
  }
  const jwt = await createJwtAuth(auth ?? { secret: jwtSecret! });
  return { auth: jwt, sign: jwt.sign, maxTokenLifetimeSeconds: jwt.maxTokenLifetimeSeconds };
}
