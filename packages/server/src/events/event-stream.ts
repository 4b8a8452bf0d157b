/**
 * One event stream's rules, whatever carries its bytes (a web `ReadableStream`, or Node's
 * own response when the server runs on Node): a `retry:` hint, the announcement of the
 * heartbeat (`: heartbeat 25000`, so a client can tell a dead connection in about that
 * time) and a poke at once on opening, a poke per commit in its spaces, pings from the
 * shared heartbeat, and a retry hint before it ends on shutdown. It ends, after a
 * `reauthenticate` event, when the authority it was opened with does (authority.ts).
 *
 * A poke after a small commit carries its changes (patch-poke.ts). A consumer that reads
 * slowly does not make pokes pile up: while it is behind, new pokes collapse into one plain
 * poke carrying the highest version, written when it catches up.
 */
import {
  EVENTS,
  REAUTHENTICATE_REASONS,
  type ReauthenticateReason,
  SSE_CONTENT_TYPE,
  SSE_HEARTBEAT_COMMENT,
} from '@ferry/protocol';
import type { CommitPatch } from '../storage/commit-patch.ts';
import { type AuthoritySettings, StreamAuthority, type StreamOwner } from './authority.ts';
import type { PokeHub, PokeSubscriber } from './hub.ts';

/** Reconnection delay suggested to `EventSource` clients. */
export const RETRY_MS = 2000;

const encoder = new TextEncoder();
const PING = encoder.encode(': ping\n\n');

/** The opening `retry:` hint and heartbeat announcement, encoded once per heartbeat (per server). */
const OPENINGS = new Map<number, Uint8Array>();
function openingChunk(heartbeatMs: number): Uint8Array {
  let chunk = OPENINGS.get(heartbeatMs);
  if (chunk === undefined) {
    chunk = encoder.encode(`retry: ${RETRY_MS}\n: ${SSE_HEARTBEAT_COMMENT} ${heartbeatMs}\n\n`);
    OPENINGS.set(heartbeatMs, chunk);
  }
  return chunk;
}

export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': `${SSE_CONTENT_TYPE}; charset=utf-8`,
  'cache-control': 'no-cache, no-transform',
  // Tell nginx-style proxies not to buffer the stream.
  'x-accel-buffering': 'no',
});

export function encodePoke(version: number): Uint8Array {
  return encoder.encode(`event: ${EVENTS.poke}\ndata: {"version":${version}}\n\n`);
}

/** The event that ends a stream whose authority ended, encoded once per reason. */
const REAUTHENTICATE = new Map<string, Uint8Array>(
  Object.values(REAUTHENTICATE_REASONS).map((reason) => [
    reason,
    encoder.encode(`event: ${EVENTS.reauthenticate}\ndata: {"reason":"${reason}"}\n\n`),
  ]),
);

export interface EventStreamsOptions extends Partial<AuthoritySettings> {
  hub: PokeHub;
  heartbeatMs: number;
  onPoke?: () => void;
  onOpen?: () => void;
  onClose?: () => void;
  /**
   * Called with a function that ends every open stream, so the server can close them on
   * shutdown; returns a function that withdraws it. Called while at least one stream is open.
   */
  register: (close: () => void) => () => void;
  /** Streams one user may hold; beyond it their oldest is ended (streams-per-user.ts). 0 or none: no cap. */
  maxStreamsPerUser?: number;
}

/** What a stream needs of the set of streams it belongs to. */
export interface StreamSet {
  readonly options: EventStreamsOptions;
  /** For each stream's authority: the options' settings, defaults filled in. */
  readonly authority: AuthoritySettings;
  /** A poke chunk, encoded once however many streams it goes to. */
  pokeChunk(version: number): Uint8Array;
  /** A poke carrying the commit's changes in `spaces`, or undefined when it cannot. */
  patchChunk(
    patch: CommitPatch,
    version: number,
    spaces: readonly string[],
  ): Uint8Array | undefined;
  added(stream: EventStream): void;
  removed(stream: EventStream): void;
}

export abstract class EventStream implements PokeSubscriber {
  /** A poke says "pull up to at least this version"; one that says no more is dropped. */
  private lastPokedVersion = -1;
  /** The collapsed poke waiting for the consumer to catch up, or -1. */
  private pendingVersion = -1;
  protected closed = false;
  /** Ends the stream when its token expires or a space is withdrawn; none when neither can. */
  private readonly authority: StreamAuthority | undefined;

  constructor(
    private readonly streams: StreamSet,
    readonly spaces: readonly string[],
    owner: StreamOwner | undefined,
  ) {
    this.authority = StreamAuthority.of(this, owner, streams.authority);
  }

  /** True while the consumer has unread data queued: pokes collapse, pings are skipped. */
  protected abstract behind(): boolean;
  /** Hands a chunk to the consumer; may throw if it can no longer take one. */
  protected abstract send(chunk: Uint8Array): void;
  /** Ends the body, after the last chunk. */
  protected abstract finish(): void;
  /** Lets go of whatever tells this stream that its consumer went away. */
  protected detach(): void {}

  /** Subscribes to the hub and writes the opening chunks. */
  protected begin(): void {
    const { hub, onOpen } = this.streams.options;
    hub.add(this.spaces, this);
    this.streams.added(this);
    onOpen?.();
    this.write(openingChunk(this.streams.options.heartbeatMs));
    this.writePoke(hub.headVersion);
    if (!this.closed) this.authority?.start();
  }

  /** The consumer read what was queued: write the poke that collapsed meanwhile. */
  protected caughtUp(): void {
    if (this.pendingVersion < 0 || this.closed) return;
    const version = this.pendingVersion;
    this.pendingVersion = -1;
    this.writePoke(version);
  }

  poke(version: number, patch?: CommitPatch): void {
    if (this.closed || version <= this.lastPokedVersion || version <= this.pendingVersion) return;
    if (this.behind()) {
      // Collapsed pokes cannot carry changes: the client pulls what they stand for.
      this.pendingVersion = Math.max(this.pendingVersion, version);
      return;
    }
    this.writePoke(version, patch);
  }

  ping(): void {
    // A consumer that is behind has unread data already; a ping would only pile up.
    if (this.closed || this.behind()) return;
    this.write(PING);
  }

  /**
   * The server is shutting down: ends the stream, asking `EventSource`-style clients to come
   * back after a short, spread-out pause (to another replica, through the load balancer).
   */
  shutdown(): void {
    if (this.closed) return;
    const retryMs = RETRY_MS + Math.floor(Math.random() * RETRY_MS);
    this.write(encoder.encode(`retry: ${retryMs}\n\n`));
    if (this.closed) return;
    this.end();
    this.finish();
  }

  /**
   * The authority the stream was opened with ended: says why, so the client gets a fresh
   * token and reconnects from its cursor, and ends the stream.
   */
  revoke(reason: ReauthenticateReason): void {
    if (this.closed) return;
    this.write(REAUTHENTICATE.get(reason)!);
    if (this.closed) return;
    this.end();
    this.finish();
  }

  private writePoke(version: number, patch?: CommitPatch): void {
    // The timer ends the stream at `exp`; this catches a timer the event loop runs late.
    if (this.authority?.expired()) {
      this.revoke(REAUTHENTICATE_REASONS.tokenExpired);
      return;
    }
    if (version > this.lastPokedVersion) this.lastPokedVersion = version;
    const withChanges = patch && this.streams.patchChunk(patch, version, this.spaces);
    this.write(withChanges ?? this.streams.pokeChunk(version));
    if (!this.closed) this.streams.options.onPoke?.();
  }

  /**
   * A stream that can no longer be written to is ended, rather than throwing into the
   * shared timer or the hub's fan-out.
   */
  private write(chunk: Uint8Array): void {
    try {
      this.send(chunk);
    } catch {
      this.end();
    }
  }

  /** Forgets the stream: no more pokes or pings. Safe to call more than once. */
  protected end(): void {
    if (this.closed) return;
    this.closed = true;
    this.authority?.stop();
    this.streams.options.hub.remove(this.spaces, this);
    this.streams.removed(this);
    this.detach();
    this.streams.options.onClose?.();
  }
}
