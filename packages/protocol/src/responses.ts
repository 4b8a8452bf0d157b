/**
 * Boundary checks of the server's push, pull and poke responses, for clients. Each parser
 * takes the result of `JSON.parse` (or a poke's data) and either returns the protocol's own
 * type or throws `InvalidResponseError` naming the bad field, so that nothing unchecked
 * reaches a store. A response may carry rejection codes this version does not know: v1
 * allows codes to be added, and such a mutation is still rejected.
 */
import type {
  Change,
  JsonObject,
  MutationId,
  MutationRejection,
  MutationResult,
  PokeWithChanges,
  PullResponse,
  PushResponse,
  SpaceId,
  Version,
} from './types.ts';
import { isPlainObject, isPositiveSafeInteger, isValidKey, isValidName } from './validate.ts';

/** A response body that does not follow the protocol. */
export class InvalidResponseError extends Error {
  override readonly name = 'InvalidResponseError';
  /** The part of the body that is wrong, as a path: `results[2].id`, `cursor`, `the body`. */
  readonly path: string;
  /** What is wrong with it: `is not a positive integer`. */
  readonly problem: string;

  constructor(path: string, problem: string) {
    super(`${path} ${problem}`);
    this.path = path;
    this.problem = problem;
  }
}

function fail(path: string, problem: string): never {
  throw new InvalidResponseError(path, problem);
}

function isNonNegativeSafeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function requireObject(value: unknown, path: string): Record<string, unknown> {
  if (!isPlainObject(value)) fail(path, 'is not an object');
  return value;
}

export function parsePushResponse(body: unknown): PushResponse {
  const b = requireObject(body, 'the body');
  if (!Array.isArray(b.results)) fail('results', 'is not an array');
  if (!isNonNegativeSafeInteger(b.lastMutationId)) {
    fail('lastMutationId', 'is not a non-negative integer');
  }
  const results = b.results.map((raw, i): MutationResult => {
    const path = `results[${i}]`;
    const r = requireObject(raw, path);
    if (!isPositiveSafeInteger(r.id)) fail(`${path}.id`, 'is not a positive integer');
    const id = r.id as MutationId;
    switch (r.status) {
      case 'applied':
        if (!isPositiveSafeInteger(r.version)) fail(`${path}.version`, 'is not a positive integer');
        return { id, status: 'applied', version: r.version as Version };
      case 'duplicate':
        // A duplicate of a mutation that was rejected when first processed carries the
        // original rejection, so a lost response cannot hide it.
        return r.error === undefined
          ? { id, status: 'duplicate' }
          : { id, status: 'duplicate', error: parseRejection(r.error, `${path}.error`) };
      case 'rejected':
        return { id, status: 'rejected', error: parseRejection(r.error, `${path}.error`) };
      default:
        return fail(`${path}.status`, 'is not "applied", "duplicate" or "rejected"');
    }
  });
  const response: PushResponse = { results, lastMutationId: b.lastMutationId };
  if (b.pull !== undefined) response.pull = parsePulledWithPush(b.pull);
  return response;
}

/** A push response's `pull` (an addition): a pull response, its paths under `pull`. */
function parsePulledWithPush(raw: unknown): PullResponse {
  try {
    return parsePullResponse(raw);
  } catch (error) {
    if (!(error instanceof InvalidResponseError)) throw error;
    throw new InvalidResponseError(
      error.path === 'the body' ? 'pull' : `pull.${error.path}`,
      error.problem,
    );
  }
}

function parseRejection(raw: unknown, path: string): MutationRejection {
  const error = requireObject(raw, path);
  if (typeof error.code !== 'string') fail(`${path}.code`, 'is not a string');
  const message = typeof error.message === 'string' ? error.message : error.code;
  return { code: error.code, message };
}

export function parsePullResponse(body: unknown): PullResponse {
  const b = requireObject(body, 'the body');
  if (!Array.isArray(b.changes)) fail('changes', 'is not an array');
  if (typeof b.cursor !== 'string') fail('cursor', 'is not a string');
  if (typeof b.hasMore !== 'boolean') fail('hasMore', 'is not a boolean');
  if (!isNonNegativeSafeInteger(b.lastMutationId)) {
    fail('lastMutationId', 'is not a non-negative integer');
  }
  if (b.reset !== undefined && typeof b.reset !== 'boolean') fail('reset', 'is not a boolean');
  if (b.cursorVersion !== undefined && !isNonNegativeSafeInteger(b.cursorVersion)) {
    fail('cursorVersion', 'is not a non-negative integer');
  }
  if (b.remaining !== undefined && !isNonNegativeSafeInteger(b.remaining)) {
    fail('remaining', 'is not a non-negative integer');
  }
  const response: PullResponse = {
    changes: parseChanges(b.changes),
    cursor: b.cursor,
    hasMore: b.hasMore,
    lastMutationId: b.lastMutationId,
  };
  if (b.reset === true) response.reset = true;
  if (b.cursorVersion !== undefined) response.cursorVersion = b.cursorVersion;
  if (b.remaining !== undefined) response.remaining = b.remaining;
  return response;
}

function parseChanges(raw: unknown[]): Change[] {
  return raw.map((item, i): Change => {
    const path = `changes[${i}]`;
    const c = requireObject(item, path);
    if (!isValidName(c.space)) fail(`${path}.space`, 'is not a valid space name');
    if (!isValidName(c.collection)) fail(`${path}.collection`, 'is not a valid collection name');
    if (!isValidKey(c.key)) fail(`${path}.key`, 'is not a valid key');
    if (!isPositiveSafeInteger(c.version)) fail(`${path}.version`, 'is not a positive integer');
    if (c.value !== null && !isPlainObject(c.value)) {
      fail(`${path}.value`, 'is neither an object nor null');
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
 * The changes a poke event's data carries, or undefined for a plain poke (one that only
 * says "pull"). Data that claims to carry changes but does not hold up is refused like a
 * bad pull page.
 */
export function parsePokeChanges(data: string): PokeWithChanges | undefined {
  let body: unknown;
  try {
    body = JSON.parse(data);
  } catch {
    return fail('the poke data', 'is not JSON');
  }
  const b = requireObject(body, 'the poke data');
  if (b.changes === undefined) return undefined;
  if (!isPositiveSafeInteger(b.version)) fail('version', 'is not a positive integer');
  if (!isNonNegativeSafeInteger(b.from) || b.from >= b.version) {
    fail('from', 'is not a non-negative integer below version');
  }
  if (typeof b.cursor !== 'string') fail('cursor', 'is not a string');
  if (!Array.isArray(b.changes)) fail('changes', 'is not an array');
  return { version: b.version, from: b.from, cursor: b.cursor, changes: parseChanges(b.changes) };
}
