import { createJwtAuth, type JwtAuthenticator, type JwtAuthOptions } from './jwt.ts';
import type { Authenticator } from './principal.ts';

/** The authenticator the server options describe, and a token signer when it has a secret. */
export async function createAuthenticator(options: {
  auth?: JwtAuthOptions | Authenticator | undefined;
  jwtSecret?: string | undefined;
}): Promise<{ auth: Authenticator; sign: JwtAuthenticator['sign'] }> {
  const { auth, jwtSecret } = options;
  if ((auth === undefined) === (jwtSecret === undefined)) {
    throw new Error('give exactly one of auth and jwtSecret');
  }
  if (auth !== undefined && 'authenticate' in auth) {
    // An authenticator made with createJwtAuth({ secret }) can still mint tokens.
    const sign = (auth as Partial<JwtAuthenticator>).sign;
    return { auth, sign: sign?.bind(auth) };
  }
  const jwt = await createJwtAuth(auth ?? { secret: jwtSecret! });
  return { auth: jwt, sign: jwt.sign };
}
