/** What every system's client side offers the workloads. */
import type { BenchRecord } from '../types.ts';

/** Where a client connects, as whom, and which space (or database) it follows. */
export interface Target {
  url: string;
  credential: string;
  space: string;
}

/** A local copy of one space. */
export interface Replica {
  /** Pulls until the copy has everything the server had when the pull began. */
  sync(): Promise<void>;
  /** Records held locally. */
  count(): Promise<number>;
  close(): Promise<void>;
}

/** `beginning`: an empty copy that pulls everything; `head`: an empty copy that starts where the server is now. */
export type ReplicaStart = { from: 'beginning' } | { from: 'head'; head: unknown };

/** One push request of a raw-protocol load generator (W3). */
export interface PushRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface EventStreamRequest {
  path: string;
  headers: Record<string, string>;
  /** False when the server sends the response headers only with its first heartbeat. */
  answersAtOnce: boolean;
  /** The longest wait for those headers, in ms. */
  firstBytesWithinMs: number;
}

export interface Writer {
  /** Makes a local write and starts sending it; resolves when it has been handed over. */
  write(record: BenchRecord): Promise<void>;
  /** Requests sent to the server so far (W4D), when the system's writer counts them. */
  requests?(): number;
  close(): Promise<void>;
}

/** How Ferry's writer sends its writes (W4D); the peers' writers have one way only. */
export interface WriterOptions {
  /**
   * `sync`: `put` then `sync()`, as in W4. `default`: `put` alone on a live client with
   * default options, the scheduler sending it. `debounce`: the same with
   * `localChangeDelayMs: 1000`, the default before writes were sent at once.
   */
  mode: 'sync' | 'default' | 'debounce';
}

export interface ClientSystem {
  openReplica(target: Target, start: ReplicaStart): Promise<Replica>;
  /** Creates what the target needs on the server first (PouchDB: its database). */
  prepare?(target: Target): Promise<void>;
  pushRequest(
    target: Target,
    clientId: string,
    firstId: number,
    records: BenchRecord[],
  ): PushRequest;
  /** Checks a push response: returns how many records it acknowledged as newly applied. */
  acknowledged(status: number, text: string, sent: number): number;
  /** The URL path and headers of an event stream (or changes feed) for `target`. */
  eventStream(target: Target): EventStreamRequest;
  openWriter(target: Target, options?: WriterOptions): Promise<Writer>;
  /** Calls `onSeen(key)` once a record written elsewhere is visible locally. */
  openWatcher(target: Target, onSeen: (key: string) => void): Promise<{ close(): Promise<void> }>;
  /**
   * W7: a local store holding `records` records, a subscribed query on it, then `samples`
   * local writes; returns the milliseconds from each write to the query showing it.
   */
  localLatency(records: BenchRecord[], samples: BenchRecord[]): Promise<number[]>;
}
