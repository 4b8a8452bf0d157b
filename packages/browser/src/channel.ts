/**
 * The messages between the sync leader and the clients of one store, over a
 * BroadcastChannel named after the store. Every context of the app (tabs, workers, the
 * service worker) hears every message; requests carry an id and the sender's id, and only
 * the leader answers them. Everything here is plain data, so it survives structured clone.
 */
import type {
  ChangeEvent,
  InspectOptions,
  Query,
  RejectionEvent,
  RequestedTrigger,
  RunRecord,
  SchedulerCapabilities,
  SyncProgress,
  SyncStatus,
} from '@ferry/client';
import {
  FerryClosedError,
  FerryConditionsError,
  FerryConfigError,
  FerryHttpError,
  FerryNetworkError,
  FerryProtocolError,
  FerryTimeoutError,
  FerryTokenError,
  FerryValidationError,
} from '@ferry/client';
import type { JsonObject } from '@ferry/protocol';
import {
  FerryDatabaseClosedError,
  FerryLeadershipLostError,
  FerryLeaderUnavailableError,
  FerryStorageFullError,
  FerryStoreBlockedError,
  FerryStoreVersionError,
} from './errors.ts';

/** The Web Lock and BroadcastChannel names of a store. */
export function channelName(storeName: string): string {
  return `ferry:${storeName}`;
}

/** 16 random characters, for the ids of hosts, connections and requests. */
export function randomId(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
}

export interface WriteArgs {
  space: string;
  collection: string;
  key: string;
  op: 'put' | 'patch' | 'delete';
  value?: JsonObject;
  ifVersion?: number;
}

/** A `Query` as it crosses the channel: everything but the filter function. */
export type WireQuery = Omit<Query<JsonObject>, 'filter'>;

/** What a connection can ask the leader to do. */
export type RequestCall =
  | { method: 'get'; space: string; collection: string; key: string }
  | { method: 'query'; space: string; collection: string }
  // A query without its `filter` (a function cannot cross the channel: the tab applies it).
  | { method: 'find'; space: string; collection: string; query: WireQuery }
  | { method: 'count'; space: string; collection: string; query: WireQuery }
  | { method: 'getMany'; space: string; collection: string; keys: readonly string[] }
  | { method: 'write'; write: WriteArgs }
  | { method: 'bulkPut'; space: string; collection: string; entries: [string, JsonObject][] }
  | { method: 'bulkDelete'; space: string; collection: string; keys: string[] }
  // No trigger (a tab of an older version): manual.
  | { method: 'sync'; trigger?: RequestedTrigger }
  | { method: 'history' }
  | { method: 'inspect'; options?: InspectOptions }
  | { method: 'getClientId' }
  | { method: 'startLive' }
  | { method: 'stopLive' };

/** An error as it crosses the channel. */
export interface ErrorData {
  name: string;
  message: string;
  code?: string;
  /** The phrase for people, as Ferry's errors carry it. */
  userMessage?: string;
  /** The error's own fields of plain values (`status`, `url`, `waitingFor`, …). */
  fields?: Record<string, string | number | boolean | null | undefined>;
  cause?: ErrorData;
}

export interface LeaderInfo {
  leaderId: string;
  /** The store's writer epoch this leader claimed: a higher one is a newer leader. */
  epoch: number;
}

export type ChannelMessage =
  /** A connection asks who leads; the leader answers with `leader`. */
  | { type: 'hello'; from: string; visible?: boolean }
  /**
   * A connection's page went online or offline. A worker does not always hear the network
   * change itself (Chromium tells its pages only), so the leader looks again.
   */
  | { type: 'network'; from: string; online: boolean }
  /** A connection's page became visible or hidden. */
  | { type: 'visibility'; from: string; visible: boolean }
  | { type: 'request'; id: string; from: string; call: RequestCall }
  /** The leader received the request and is working on it. */
  | ({ type: 'ack'; id: string } & LeaderInfo)
  | ({ type: 'response'; id: string; to: string } & LeaderInfo &
      ({ ok: true; value: unknown } | { ok: false; error: ErrorData }))
  | ({
      type: 'leader';
      status: SyncStatus;
      capabilities: SchedulerCapabilities;
    } & LeaderInfo)
  /** The leader stepped down (closed); the next in line announces itself. */
  | ({ type: 'released' } & LeaderInfo)
  | ({ type: 'status'; status: SyncStatus } & LeaderInfo)
  | ({ type: 'change'; event: ChangeEvent } & LeaderInfo)
  | ({ type: 'rejected'; event: RejectionEvent } & LeaderInfo)
  | ({ type: 'run'; record: RunRecord } & LeaderInfo)
  | ({ type: 'progress'; progress: SyncProgress } & LeaderInfo);

export function errorData(error: unknown, depth = 0): ErrorData {
  if (error instanceof Error) {
    const { code, userMessage } = error as { code?: unknown; userMessage?: unknown };
    const fields: NonNullable<ErrorData['fields']> = {};
    for (const [field, value] of Object.entries(error)) {
      if (value === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof value)) {
        fields[field] = value as string | number | boolean | null | undefined;
      }
    }
    return {
      name: error.name,
      message: error.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(typeof userMessage === 'string' ? { userMessage } : {}),
      fields,
      // A chain of causes, cut short should it loop.
      ...(error.cause === undefined || depth >= 3
        ? {}
        : { cause: errorData(error.cause, depth + 1) }),
    };
  }
  return { name: 'Error', message: String(error) };
}

/** The classes of the errors a page may want to tell apart with `instanceof`, by name. */
const ERROR_CLASSES: Record<string, { prototype: Error }> = {
  FerryClosedError,
  FerryConditionsError,
  FerryConfigError,
  FerryHttpError,
  FerryNetworkError,
  FerryProtocolError,
  FerryTimeoutError,
  FerryTokenError,
  FerryValidationError,
  FerryDatabaseClosedError,
  FerryLeadershipLostError,
  FerryLeaderUnavailableError,
  FerryStorageFullError,
  FerryStoreBlockedError,
  FerryStoreVersionError,
};

/** True when `object` or its prototypes define `field` with a getter (no value to set). */
function isAccessor(object: object, field: string): boolean {
  for (let o: object | null = object; o !== null; o = Object.getPrototypeOf(o)) {
    const descriptor = Object.getOwnPropertyDescriptor(o, field);
    if (descriptor !== undefined) return descriptor.get !== undefined;
  }
  return false;
}

/**
 * The error again, as the app would have caught it from a local client: an instance of the
 * same class for Ferry's errors (so `instanceof FerryNetworkError` holds in every tab), with
 * its message, code, phrase for people and other fields; other errors keep their name,
 * message, code and phrase.
 */
export function reviveError(data: ErrorData): Error {
  const cause = data.cause === undefined ? undefined : reviveError(data.cause);
  const error = new Error(data.message, cause === undefined ? undefined : { cause });
  const known = ERROR_CLASSES[data.name];
  if (known !== undefined) Object.setPrototypeOf(error, known.prototype);
  const own = (field: string, value: unknown) => {
    // A getter of the class (userMessage, say) computes the value from the fields.
    if (known !== undefined && isAccessor(error, field)) return;
    Object.defineProperty(error, field, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  };
  own('name', data.name);
  for (const [field, value] of Object.entries(data.fields ?? {})) {
    if (field !== 'message' && field !== 'stack' && field !== 'cause') own(field, value);
  }
  if (data.code !== undefined) own('code', data.code);
  if (data.userMessage !== undefined && !('userMessage' in error))
    own('userMessage', data.userMessage);
  return error;
}
