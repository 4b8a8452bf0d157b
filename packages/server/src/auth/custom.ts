/** Authentication by the app's own code, e.g. a session cookie looked up in its database. */
import { isValidName, isValidUserId } from '@ferry/protocol';
import { type Authenticator, unauthorized } from './principal.ts';

export type AuthenticateRequest = (
  request: Request,
) => Promise<{ userId: string; spaces: readonly string[] } | null | undefined>;

/** Wraps an app's `authenticate(request)`: null means "not signed in" (401); its answer is checked once here. */
export function customAuth(authenticate: AuthenticateRequest): Authenticator {
  return {
    async authenticate(request) {
      const principal = await authenticate(request);
      if (!principal) throw unauthorized('not signed in');
      if (!isValidUserId(principal.userId))
        throw new Error('authenticate() returned an invalid userId');
      const invalid = principal.spaces.filter((s) => !isValidName(s));
      if (invalid.length > 0)
        throw new Error(`authenticate() returned invalid space names: ${invalid.join(', ')}`);
      return { userId: principal.userId, spaces: [...new Set(principal.spaces)] };
    },
  };
}
