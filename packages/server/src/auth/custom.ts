/** Authentication by the app's own code, e.g. a session cookie looked up in its database. */
import { isValidName, isValidUserId } from '@ferry/protocol';
import { FerryConfigError } from '../errors.ts';
import { type Authenticator, type Principal, unauthorized } from './principal.ts';

/**
 * What `authenticate` answers for a signed-in request. `expiresAtMs` and `currentSpaces` are
 * optional: give them to end the user's event streams when the session ends or a space is
 * withdrawn (see `Principal`).
 */
export type AuthenticateRequest = (request: Request) => Promise<Principal | null | undefined>;

/** Wraps an app's `authenticate(request)`: null means "not signed in" (401); its answer is checked once here. */
export function customAuth(authenticate: AuthenticateRequest): Authenticator {
  return {
    async authenticate(request) {
      const principal = await authenticate(request);
      if (!principal) throw unauthorized('not signed in');
      if (!isValidUserId(principal.userId))
        throw new FerryConfigError(
          'authenticate',
          `authenticate() returned userId ${JSON.stringify(principal.userId)}, which is not a valid user id: return a string of 1 to 256 characters without U+0000 or lone surrogates, or null when the request is not signed in.`,
          { code: 'invalid_hook_result' },
        );
      const invalid = principal.spaces.filter((s) => !isValidName(s));
      if (invalid.length > 0)
        throw new FerryConfigError(
          'authenticate',
          `authenticate() returned invalid space names: ${invalid.join(', ')}. Space names are 1-128 characters of letters, digits, '_', '-', '.' and ':'; map your own ids onto such names.`,
          { code: 'invalid_hook_result' },
        );
      const { userId, expiresAtMs, currentSpaces } = principal;
      if (expiresAtMs !== undefined && !Number.isFinite(expiresAtMs))
        throw new FerryConfigError(
          'authenticate',
          `authenticate() returned expiresAtMs ${String(expiresAtMs)}: give the time the session ends in milliseconds since the epoch (e.g. Date.parse(session.expiresAt)), or leave it out.`,
          { code: 'invalid_hook_result' },
        );
      return { userId, spaces: [...new Set(principal.spaces)], expiresAtMs, currentSpaces };
    },
  };
}
