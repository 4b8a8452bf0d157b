/**
 * The protocol's checks of the server's push, pull and poke responses, at the client's
 * boundary. Whatever passes is trusted by the engine; whatever does not becomes a
 * `FerryProtocolError` naming the URL and the bad field, before a single byte of it
 * reaches the store.
 */
import {
  InvalidResponseError,
  type PokeWithChanges,
  type PullResponse,
  type PushResponse,
  parsePokeChanges as parsePokeData,
  parsePullResponse as parsePullBody,
  parsePushResponse as parsePushBody,
} from '@ferry/protocol';
import { FerryProtocolError } from './errors.ts';

function checked<T>(url: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InvalidResponseError) throw new FerryProtocolError(url, error.message);
    throw error;
  }
}

export function parsePushResponse(body: unknown, url: string): PushResponse {
  return checked(url, () => parsePushBody(body));
}

export function parsePullResponse(body: unknown, url: string): PullResponse {
  return checked(url, () => parsePullBody(body));
}

/** The changes a poke's data carries, or undefined for a plain poke. */
export function parsePokeChanges(data: string, url: string): PokeWithChanges | undefined {
  return checked(url, () => parsePokeData(data));
}
