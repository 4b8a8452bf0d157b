/** Building responses: JSON bodies, protocol errors, and the boundary that types unknown throws. */
import { FerryError, HEADERS, JSON_CONTENT_TYPE } from '@ferry/protocol';
import { isConnectionError } from '../db/driver.ts';

/** How long clients are asked to wait when the database is unreachable. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** A JSON body: an object to serialise, JSON text, or JSON text already encoded (and compressed). */
export function jsonResponse(
  body: string | Uint8Array<ArrayBuffer> | object,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  const text = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  return new Response(text, {
    status,
    headers: { [HEADERS.contentType]: JSON_CONTENT_TYPE, ...headers },
  });
}

export function errorResponse(error: FerryError): Response {
  const headers: Record<string, string> = {};
  if (error.retryAfterSeconds !== undefined)
    headers[HEADERS.retryAfter] = String(error.retryAfterSeconds);
  return jsonResponse(error.toBody(), error.status, headers);
}

/**
 * Turns anything thrown while serving into a protocol error: our own errors pass through,
 * an unreachable database becomes 503 with Retry-After, and everything else is a server
 * fault (500) whose details stay in the log, not in the response.
 */
export function toFerryError(error: unknown): FerryError {
  if (error instanceof FerryError) return error;
  if (isConnectionError(error)) {
    return new FerryError('unavailable', 'the database is unreachable; retry later', {
      retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS,
      cause: error,
    });
  }
  return new FerryError('internal', 'internal server error', { cause: error });
}
