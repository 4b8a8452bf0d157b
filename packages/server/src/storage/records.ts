/** A record's address and latest state, as a push batch holds them. */
import type { JsonObject } from '@ferry/protocol';

export interface RecordAddress {
  space: string;
  collection: string;
  key: string;
}

export interface RecordState {
  /** JSON text, null for a tombstone. */
  text: string | null;
  /** Parsed value, filled lazily when a patch or a rule needs it. */
  parsed?: JsonObject | null;
  version: number;
}

export const addressOf = (a: RecordAddress) => JSON.stringify([a.space, a.collection, a.key]);

export function parsedValue(state: RecordState | undefined): JsonObject | null {
  if (!state || state.text === null) return null;
  state.parsed ??= JSON.parse(state.text) as JsonObject;
  return state.parsed;
}
