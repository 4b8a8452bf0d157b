/** Who is calling, and what they may touch. */
import { ACCESS_TOKEN_PARAM, FerryError, HEADERS } from '@ferry/protocol';

export interface Principal {
  userId: string;
  /** Spaces the user may read and write. */
  spaces: readonly string[];
  /**
   * When the credential stops being valid, in ms since the epoch (a JWT's `exp`): an event
   * stream opened with it ends then, after a `reauthenticate` event. None: it does not expire.
   */
  expiresAtMs?: number | undefined;
  /**
   * The spaces granted to the user now, for spaces that can change while a credential is
   * valid (`resolveSpaces`): an open event stream calls it every `spacesRecheckMs` and ends,
   * after a `reauthenticate` event, once a space it serves is no longer among them.
   */
  currentSpaces?: (() => Promise<readonly string[]>) | undefined;
}

/**
 * Decides who sent a request. Throws `FerryError('unauthorized')` (401) when it cannot
 * tell; any other throw is a server fault.
 */
export interface Authenticator {
  authenticate(request: Request, context: AuthContext): Promise<Principal>;
}

export interface AuthContext {
  /**
   * True for event streams: `EventSource` cannot set headers, so a token may come in the
   * `access_token` query parameter. Other routes take it from the header only, which keeps
   * tokens out of URLs and access logs.
   */
  allowQueryToken: boolean;
}

export function unauthorized(message: string): FerryError {
  return new FerryError('unauthorized', message);
}

/** The token from `Authorization: Bearer …`, or undefined when the header is absent. */
export function bearerToken(header: string | undefined | null): string | undefined {
  if (header === undefined || header === null) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthorized('Authorization header must be "Bearer <token>"');
  return match[1];
}

/** The bearer token of a request: the Authorization header, or where allowed the query parameter. */
export function requestToken(request: Request, context: AuthContext): string | undefined {
  const fromHeader = bearerToken(request.headers.get(HEADERS.authorization));
  if (fromHeader !== undefined || !context.allowQueryToken) return fromHeader;
  return new URL(request.url).searchParams.get(ACCESS_TOKEN_PARAM) ?? undefined;
}
