/**
 * Boundary validation of request bodies. Each parser takes the result of `JSON.parse` and
 * either returns a typed request or throws `FerryError('invalid_request' | 'payload_too_large')`
 * whose message names the offending field. Inside the server, parsed requests are trusted.
 */
import { CLIENT_ID_PATTERN, DEFAULT_LIMITS, MAX_KEY_LENGTH, NAME_PATTERN } from './constants.ts';
import { FerryError } from './errors.ts';
import type {
  ClientId,
  DevTokenRequest,
  JsonObject,
  Mutation,
  MutationId,
  PullRequest,
  PushPull,
  PushRequest,
  SpaceId,
} from './types.ts';

/** PostgreSQL text cannot hold U+0000, and lone surrogates cannot be encoded as UTF-8. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0000 is exactly what must be refused.
const UNSTORABLE_CHARACTER = /[\u0000\p{Cs}]/u;
const MAX_CURSOR_LENGTH = 1024;

function invalid(path: string, problem: string): never {
  throw new FerryError('invalid_request', `${path}: ${problem}`);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isValidName(value: unknown): value is string {
  return typeof value === 'string' && NAME_PATTERN.test(value);
}

export function isValidClientId(value: unknown): value is ClientId {
  return typeof value === 'string' && CLIENT_ID_PATTERN.test(value);
}

/** A key is 1–256 characters (code points), without U+0000 or lone surrogates. */
export function isValidKey(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0) return false;
  if (value.length > MAX_KEY_LENGTH && [...value].length > MAX_KEY_LENGTH) return false;
  return !UNSTORABLE_CHARACTER.test(value);
}

/** A user id (the token's `sub`): 1–256 characters that can be stored as text. */
export function isValidUserId(value: unknown): value is string {
  return isValidKey(value);
}

export function isPositiveSafeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function requireObject(value: unknown, path: string): Record<string, unknown> {
  if (!isPlainObject(value)) invalid(path, 'must be a JSON object');
  return value;
}

function parseClientId(value: unknown, path: string): ClientId {
  if (!isValidClientId(value)) invalid(path, 'must be 1–64 characters of [A-Za-z0-9_-]');
  return value;
}

function parseName(value: unknown, path: string): string {
  if (!isValidName(value)) invalid(path, 'must match ^[A-Za-z0-9_.:-]{1,128}$');
  return value;
}

function parseMutation(raw: unknown, path: string): Mutation {
  const m = requireObject(raw, path);
  if (!isPositiveSafeInteger(m.id)) invalid(`${path}.id`, 'must be a positive integer');
  const id = m.id as MutationId;
  const space = parseName(m.space, `${path}.space`) as SpaceId;
  const collection = parseName(m.collection, `${path}.collection`);
  if (!isValidKey(m.key)) {
    invalid(
      `${path}.key`,
      `must be 1–${MAX_KEY_LENGTH} characters, without U+0000 or lone surrogates`,
    );
  }
  const key = m.key;
  let ifVersion: number | undefined;
  if (m.ifVersion !== undefined) {
    if (typeof m.ifVersion !== 'number' || !Number.isSafeInteger(m.ifVersion) || m.ifVersion < 0) {
      invalid(`${path}.ifVersion`, 'must be a non-negative integer');
    }
    ifVersion = m.ifVersion;
  }
  const base =
    ifVersion === undefined
      ? { id, space, collection, key }
      : { id, space, collection, key, ifVersion };
  switch (m.op) {
    case 'put':
    case 'patch':
      if (!isPlainObject(m.value)) invalid(`${path}.value`, `must be a JSON object for ${m.op}`);
      return { ...base, op: m.op, value: m.value as JsonObject };
    case 'delete':
      return { ...base, op: 'delete' };
    default:
      return invalid(`${path}.op`, 'must be "put", "patch" or "delete"');
  }
}

export interface PushLimits {
  maxMutationsPerPush: number;
}

/**
 * A push request. Its `pull` (an addition) is checked like a pull request's fields, against
 * `limits`' pull limits when given and the defaults otherwise.
 */
export function parsePushRequest(
  body: unknown,
  limits: PushLimits & Partial<PullLimits> = DEFAULT_LIMITS,
): PushRequest & { pull?: PushPull & { limit: number } } {
  const b = requireObject(body, 'body');
  const clientId = parseClientId(b.clientId, 'clientId');
  if (!Array.isArray(b.mutations)) invalid('mutations', 'must be an array');
  if (b.mutations.length > limits.maxMutationsPerPush) {
    throw new FerryError(
      'payload_too_large',
      `mutations: at most ${limits.maxMutationsPerPush} per request, got ${b.mutations.length}`,
    );
  }
  const mutations = b.mutations.map((m, i) => parseMutation(m, `mutations[${i}]`));
  if (b.pull === undefined) return { clientId, mutations };
  const pullLimits: PullLimits = {
    defaultPullLimit: limits.defaultPullLimit ?? DEFAULT_LIMITS.defaultPullLimit,
    maxPullLimit: limits.maxPullLimit ?? DEFAULT_LIMITS.maxPullLimit,
  };
  return {
    clientId,
    mutations,
    pull: parsePullFields(requireObject(b.pull, 'pull'), pullLimits, 'pull.'),
  };
}

export interface PullLimits {
  defaultPullLimit: number;
  maxPullLimit: number;
}

export function parsePullRequest(
  body: unknown,
  limits: PullLimits = DEFAULT_LIMITS,
): PullRequest & { limit: number } {
  const b = requireObject(body, 'body');
  const clientId = parseClientId(b.clientId, 'clientId');
  return { clientId, ...parsePullFields(b, limits, '') };
}

/** A pull's cursor, limit and spaces; `prefix` goes before each field's name in errors. */
function parsePullFields(
  b: Record<string, unknown>,
  limits: PullLimits,
  prefix: string,
): PushPull & { limit: number } {
  let cursor: string | null = null;
  if (b.cursor !== undefined && b.cursor !== null) {
    if (typeof b.cursor !== 'string' || b.cursor.length > MAX_CURSOR_LENGTH) {
      invalid(`${prefix}cursor`, 'must be null or a cursor string returned by the server');
    }
    cursor = b.cursor;
  }
  let limit = limits.defaultPullLimit;
  if (b.limit !== undefined) {
    if (!isPositiveSafeInteger(b.limit) || b.limit > limits.maxPullLimit) {
      invalid(`${prefix}limit`, `must be an integer from 1 to ${limits.maxPullLimit}`);
    }
    limit = b.limit;
  }
  const fields: PushPull & { limit: number } = { cursor, limit };
  if (b.spaces !== undefined) fields.spaces = parseSpaceList(b.spaces, `${prefix}spaces`);
  return fields;
}

/** A non-empty list of distinct space names. */
export function parseSpaceList(value: unknown, path: string): SpaceId[] {
  if (!Array.isArray(value) || value.length === 0)
    invalid(path, 'must be a non-empty array of space names');
  const spaces = value.map((s, i) => parseName(s, `${path}[${i}]`) as SpaceId);
  return [...new Set(spaces)];
}

export function parseDevTokenRequest(body: unknown): DevTokenRequest {
  const b = requireObject(body, 'body');
  if (!isValidUserId(b.user))
    invalid('user', 'must be a non-empty string of at most 256 characters');
  const request: DevTokenRequest = { user: b.user };
  if (b.spaces !== undefined) request.spaces = parseSpaceList(b.spaces, 'spaces');
  return request;
}
