/**
 * Boundary checks of the server's push and pull responses. Whatever passes is trusted by
 * the engine; whatever does not becomes a `FerryProtocolError` naming the bad field, before
 * a single byte of it reaches the store.
 */
import {
  isPlainObject,
  isPositiveSafeInteger,
  isValidKey,
  isValidName,
  type JsonObject,
  type MutationId,
  type RejectionCode,
  type SpaceId,
  type Version,
} from '@ferry/protocol';
import { FerryProtocolError } from './errors.ts';

/**
 * One push result. The rejection code is kept as a string: v1 allows new codes to be
 * added, and an unknown one must still roll the mutation back and be reported.
 */
type Rejection = { code: RejectionCode | (string & {}); message: string };

export type PushResult =
  | { id: MutationId; status: 'applied'; version: Version }
  | { id: MutationId; status: 'duplicate'; error?: Rejection }
  | { id: MutationId; status: 'rejected'; error: Rejection };

export interface ParsedPushResponse {
  results: PushResult[];
  lastMutationId: number;
}

export interface ParsedChange {
  space: SpaceId;
  collection: string;
  key: string;
  version: Version;
  value: JsonObject | null;
}

export interface ParsedPullResponse {
  changes: ParsedChange[];
  cursor: string;
  hasMore: boolean;
  lastMutationId: number;
  reset: boolean;
  /** The version the cursor stands at, when the server says (an addition to v1). */
  cursorVersion: number | undefined;
}

/** A poke that carries a commit's changes (an addition to v1). */
export interface ParsedPokeChanges {
  version: number;
  /** The changes follow on from any cursor standing at a version in [from, version). */
  from: number;
  cursor: string;
  changes: ParsedChange[];
}

function isNonNegativeSafeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function fail(url: string, path: string, problem: string): never {
  throw new FerryProtocolError(url, `${path} ${problem}`);
}

function requireObject(value: unknown, url: string, path: string): Record<string, unknown> {
  if (!isPlainObject(value)) fail(url, path, 'is not an object');
  return value;
}

export function parsePushResponse(body: unknown, url: string): ParsedPushResponse {
  const b = requireObject(body, url, 'the body');
  if (!Array.isArray(b.results)) fail(url, 'results', 'is not an array');
  if (!isNonNegativeSafeInteger(b.lastMutationId)) {
    fail(url, 'lastMutationId', 'is not a non-negative integer');
  }
  const results = b.results.map((raw, i): PushResult => {
    const path = `results[${i}]`;
    const r = requireObject(raw, url, path);
    if (!isPositiveSafeInteger(r.id)) fail(url, `${path}.id`, 'is not a positive integer');
    const id = r.id as MutationId;
    switch (r.status) {
      case 'applied':
        if (!isPositiveSafeInteger(r.version)) {
          fail(url, `${path}.version`, 'is not a positive integer');
        }
        return { id, status: 'applied', version: r.version as Version };
      case 'duplicate':
        // A duplicate of a mutation that was rejected when first processed carries the
        // original rejection, so a lost response cannot hide it.
        return r.error === undefined
          ? { id, status: 'duplicate' }
          : { id, status: 'duplicate', error: parseRejection(r.error, url, `${path}.error`) };
      case 'rejected':
        return { id, status: 'rejected', error: parseRejection(r.error, url, `${path}.error`) };
      default:
        return fail(url, `${path}.status`, 'is not "applied", "duplicate" or "rejected"');
    }
  });
  return { results, lastMutationId: b.lastMutationId };
}

function parseRejection(raw: unknown, url: string, path: string): Rejection {
  const error = requireObject(raw, url, path);
  if (typeof error.code !== 'string') fail(url, `${path}.code`, 'is not a string');
  const message = typeof error.message === 'string' ? error.message : error.code;
  return { code: error.code, message };
}

export function parsePullResponse(body: unknown, url: string): ParsedPullResponse {
  const b = requireObject(body, url, 'the body');
  if (!Array.isArray(b.changes)) fail(url, 'changes', 'is not an array');
  if (typeof b.cursor !== 'string') fail(url, 'cursor', 'is not a string');
  if (typeof b.hasMore !== 'boolean') fail(url, 'hasMore', 'is not a boolean');
  if (!isNonNegativeSafeInteger(b.lastMutationId)) {
    fail(url, 'lastMutationId', 'is not a non-negative integer');
  }
  if (b.reset !== undefined && typeof b.reset !== 'boolean') {
    fail(url, 'reset', 'is not a boolean');
  }
  if (b.cursorVersion !== undefined && !isNonNegativeSafeInteger(b.cursorVersion)) {
    fail(url, 'cursorVersion', 'is not a non-negative integer');
  }
  const changes = parseChanges(b.changes, url);
  return {
    changes,
    cursor: b.cursor,
    hasMore: b.hasMore,
    lastMutationId: b.lastMutationId,
    reset: b.reset === true,
    cursorVersion: b.cursorVersion,
  };
}

function parseChanges(raw: unknown[], url: string): ParsedChange[] {
  return raw.map((item, i): ParsedChange => {
    const path = `changes[${i}]`;
    const c = requireObject(item, url, path);
    if (!isValidName(c.space)) fail(url, `${path}.space`, 'is not a valid space name');
    if (!isValidName(c.collection)) {
      fail(url, `${path}.collection`, 'is not a valid collection name');
    }
    if (!isValidKey(c.key)) fail(url, `${path}.key`, 'is not a valid key');
    if (!isPositiveSafeInteger(c.version)) {
      fail(url, `${path}.version`, 'is not a positive integer');
    }
    if (c.value !== null && !isPlainObject(c.value)) {
      fail(url, `${path}.value`, 'is neither an object nor null');
    }
    return {
      space: c.space as SpaceId,
      collection: c.collection,
      key: c.key,
      version: c.version as Version,
      value: c.value as JsonObject | null,
    };
  });
}

/**
 * The changes a poke's data carries, or undefined for a plain poke. Data that claims to
 * carry changes but does not hold up is a `FerryProtocolError`, like a bad pull page.
 */
export function parsePokeChanges(data: string, url: string): ParsedPokeChanges | undefined {
  let body: unknown;
  try {
    body = JSON.parse(data);
  } catch {
    return fail(url, 'the poke data', 'is not JSON');
  }
  const b = requireObject(body, url, 'the poke data');
  if (b.changes === undefined) return undefined;
  if (!isPositiveSafeInteger(b.version)) fail(url, 'version', 'is not a positive integer');
  if (!isNonNegativeSafeInteger(b.from) || b.from >= b.version) {
    fail(url, 'from', 'is not a non-negative integer below version');
  }
  if (typeof b.cursor !== 'string') fail(url, 'cursor', 'is not a string');
  if (!Array.isArray(b.changes)) fail(url, 'changes', 'is not an array');
  return {
    version: b.version,
    from: b.from,
    cursor: b.cursor,
    changes: parseChanges(b.changes, url),
  };
}
