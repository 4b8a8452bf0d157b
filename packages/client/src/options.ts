/**
 * `createClient` options, checked once when the client is created. Everything the engine
 * would otherwise take from globals (fetch, clock, randomness, timers) comes in here, with
 * the globals only as defaults, so tests can drive the engine completely.
 */
import { DEFAULT_LIMITS, isValidName } from '@ferry/protocol';
import type { CollectionsOptions } from './collection-options.ts';
import { FerryConfigError } from './errors.ts';
import type { TokenProvider } from './fetch.ts';
import { type Logger, silentLogger } from './logger.ts';
import { createBasicEnvironment, type SyncEnvironment } from './scheduler/environment.ts';
import {
  type ResolvedScheduleOptions,
  resolveScheduleOptions,
  type ScheduleOptions,
} from './scheduler/options.ts';
import type { Store } from './store.ts';

export interface ClientOptions {
  /** The server's base URL, with any path prefix it is mounted under: `https://app.example/sync`. */
  url: string;
  /** Where data, outbox and sync state live. Owned by the caller: `close()` leaves it open. */
  store: Store;
  /**
   * Returns the bearer token; called with `refresh: true` after the server refused one.
   * Omit it when the server authenticates requests otherwise, e.g. by a session cookie.
   */
  getToken?: TokenProvider;
  /** The spaces to pull; omitted means every space the token grants. */
  spaces?: readonly string[];
  /** The space of collections opened without one. */
  defaultSpace?: string;
  /** Per collection: the indexes its local queries use (see `CollectionOptions`). */
  collections?: CollectionsOptions;
  fetch?: typeof fetch;
  /** Milliseconds since the epoch. */
  now?: () => number;
  /** A number in [0, 1), for backoff jitter. */
  random?: () => number;
  logger?: Logger;
  setTimeout?(callback: () => void, delayMs: number): unknown;
  clearTimeout?(handle: unknown): void;
  /** Changes per pull page; default 1000. */
  pullLimit?: number;
  /** Mutations per push request; default 500. */
  pushBatchSize?: number;
  /** Open the live event stream at creation; default false. */
  live?: boolean;
  /** Default: 22 random characters of [A-Za-z0-9_-] from `crypto.getRandomValues`. */
  generateClientId?: () => string;
  /**
   * The runtime: clock, timers, randomness and the conditions the scheduler watches
   * (network, visibility, metered network, battery). Default: the global clock and timers,
   * with no conditions observed. `now`, `random`, `setTimeout` and `clearTimeout`, when
   * given, take precedence over the environment's.
   */
  environment?: SyncEnvironment;
  /** When runs happen in the background; see `ScheduleOptions` for each default. */
  schedule?: ScheduleOptions;
}

/** Timer functions, injected so tests can drive time. */
export interface Timers {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ResolvedOptions {
  url: string;
  store: Store;
  getToken: TokenProvider | undefined;
  spaces: readonly string[] | undefined;
  defaultSpace: string | undefined;
  fetch: typeof fetch;
  now: () => number;
  random: () => number;
  logger: Logger;
  timers: Timers;
  pullLimit: number;
  pushBatchSize: number;
  live: boolean;
  generateClientId: () => string;
  /** Complete: its clock, timers and randomness are the ones above. */
  environment: SyncEnvironment;
  schedule: ResolvedScheduleOptions;
}

export const DEFAULT_PUSH_BATCH_SIZE = 500;

const CLIENT_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

/** 22 characters of a 64-character alphabet: 132 random bits. */
/** The system clock: the default wherever a clock is an option. */
export const systemNow = (): number => Date.now();

export function generateRandomClientId(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(22));
  // 256 is a multiple of 64, so taking the low six bits keeps every character equally likely.
  return Array.from(bytes, (byte) => CLIENT_ID_ALPHABET[byte & 63]).join('');
}

function requireInteger(name: string, value: number | undefined, fallback: number, max: number) {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new FerryConfigError(`${name} must be an integer from 1 to ${max}, got ${value}.`);
  }
  return value;
}

function checkUrl(url: unknown): string {
  if (typeof url !== 'string' || url === '') {
    throw new FerryConfigError(
      'url must be the Ferry server base URL, e.g. https://app.example/sync.',
    );
  }
  // A path on the page's own origin is fine in a browser, where fetch resolves it.
  if (url.startsWith('/') && !url.startsWith('//')) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FerryConfigError(`url ${JSON.stringify(url)} is not a valid absolute URL.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new FerryConfigError(`url must use http or https, got ${parsed.protocol}`);
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    throw new FerryConfigError(
      'url must not carry a query or fragment: routes such as /v1/pull are appended to it.',
    );
  }
  return url;
}

function checkSpaces(spaces: unknown): readonly string[] | undefined {
  if (spaces === undefined) return undefined;
  if (!Array.isArray(spaces) || spaces.length === 0) {
    throw new FerryConfigError(
      'spaces must be a non-empty array of space names; omit it to pull every space of the token.',
    );
  }
  for (const space of spaces) {
    if (!isValidName(space)) {
      throw new FerryConfigError(
        `spaces: ${JSON.stringify(space)} is not a space name (^[A-Za-z0-9_.:-]{1,128}$).`,
      );
    }
  }
  return Object.freeze([...new Set(spaces as string[])]);
}

export function resolveOptions(options: ClientOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new FerryConfigError(
      'createClient needs an options object with url and store (and getToken for bearer tokens).',
    );
  }
  if (typeof options.store !== 'object' || options.store === null) {
    throw new FerryConfigError('store is required, e.g. createMemoryStore().');
  }
  if (options.getToken !== undefined && typeof options.getToken !== 'function') {
    throw new FerryConfigError('getToken must be a function returning the bearer token.');
  }
  const spaces = checkSpaces(options.spaces);
  const { defaultSpace } = options;
  if (defaultSpace !== undefined && !isValidName(defaultSpace)) {
    throw new FerryConfigError(
      `defaultSpace ${JSON.stringify(defaultSpace)} is not a space name (^[A-Za-z0-9_.:-]{1,128}$).`,
    );
  }
  if (defaultSpace !== undefined && spaces !== undefined && !spaces.includes(defaultSpace)) {
    throw new FerryConfigError(
      `defaultSpace "${defaultSpace}" is not among spaces [${spaces.join(', ')}]; add it, or its records would never be pulled.`,
    );
  }
  const fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const environment = resolveEnvironment(options);
  return {
    url: checkUrl(options.url),
    store: options.store,
    getToken: options.getToken,
    spaces,
    defaultSpace,
    fetch: fetchFn,
    now: environment.now,
    random: environment.random,
    logger: options.logger ?? silentLogger,
    timers: { setTimeout: environment.setTimeout, clearTimeout: environment.clearTimeout },
    pullLimit: requireInteger(
      'pullLimit',
      options.pullLimit,
      DEFAULT_LIMITS.defaultPullLimit,
      DEFAULT_LIMITS.maxPullLimit,
    ),
    pushBatchSize: requireInteger(
      'pushBatchSize',
      options.pushBatchSize,
      DEFAULT_PUSH_BATCH_SIZE,
      DEFAULT_LIMITS.maxMutationsPerPush,
    ),
    live: options.live ?? false,
    generateClientId: options.generateClientId ?? generateRandomClientId,
    environment,
    schedule: resolveScheduleOptions(options.schedule),
  };
}

/** The environment with the explicit clock, timer and randomness options applied over it. */
function resolveEnvironment(options: ClientOptions): SyncEnvironment {
  const base = options.environment;
  if (base !== undefined && (typeof base !== 'object' || typeof base.conditions !== 'function')) {
    throw new FerryConfigError(
      'environment must be a SyncEnvironment, e.g. createNodeEnvironment() from @ferry/node or a simulated one from @ferry/testing.',
    );
  }
  const parts = {
    now: options.now ?? base?.now ?? systemNow,
    random: options.random ?? base?.random ?? Math.random,
    // Looked up at call time, so timers faked after creation are honoured.
    setTimeout:
      options.setTimeout ??
      base?.setTimeout ??
      ((callback: () => void, delayMs: number) => globalThis.setTimeout(callback, delayMs)),
    clearTimeout:
      options.clearTimeout ??
      base?.clearTimeout ??
      ((handle: unknown) =>
        globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>)),
  };
  if (base === undefined) return createBasicEnvironment(parts);
  return {
    ...parts,
    conditions: () => base.conditions(),
    watch: (listener) => base.watch(listener),
    signals: base.signals,
  };
}
