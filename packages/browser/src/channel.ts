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
  RunRecord,
  SchedulerCapabilities,
  SyncProgress,
  SyncStatus,
} from '@ferry/client';
import {
  FerryClosedError,
  FerryConditionsError,
  FerryConfigError,
  FerryValidationError,
  type WaitingFor,
} from '@ferry/client';
import type { JsonObject } from '@ferry/protocol';

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
  | { method: 'sync' }
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

export function errorData(error: unknown): ErrorData {
  if (error instanceof Error) {
    const { code, userMessage } = error as { code?: unknown; userMessage?: unknown };
    return {
      name: error.name,
      message: error.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(typeof userMessage === 'string' ? { userMessage } : {}),
    };
  }
  return { name: 'Error', message: String(error) };
}

/** What a `FerryConditionsError` waited for, from its code. */
const WAITING_FOR_CODE: Record<string, WaitingFor> = {
  offline: 'network',
  metered_network: 'unmetered-network',
  low_battery: 'battery',
};

/**
 * The error again, as the class the app would have caught from a local client where it
 * can be rebuilt from its message; other errors keep their name, message, code and phrase
 * for people.
 */
export function reviveError(data: ErrorData): Error {
  let error: Error;
  if (data.name === 'FerryValidationError') error = new FerryValidationError(data.message);
  else if (data.name === 'FerryConfigError') error = new FerryConfigError(data.message);
  else if (data.name === 'FerryClosedError') error = new FerryClosedError('client');
  else if (data.name === 'FerryConditionsError') {
    error = new FerryConditionsError(WAITING_FOR_CODE[data.code ?? ''] ?? 'network');
  } else error = Object.assign(new Error(data.message), { name: data.name });
  if (data.code !== undefined) Object.assign(error, { code: data.code });
  if (data.userMessage !== undefined && !('userMessage' in error)) {
    Object.assign(error, { userMessage: data.userMessage });
  }
  error.message = data.message;
  return error;
}
