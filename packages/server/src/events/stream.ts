/**
 * Server-Sent Events streams: a poke after every commit in a stream's spaces, a `: ping`
 * comment on an interval so proxies keep the connection open, and one poke at once on
 * connecting so a client that reconnects after a gap pulls what it missed.
 *
 * A consumer that reads slowly does not make pokes pile up: while its queue is full, new
 * pokes collapse into one carrying the highest version, written when it reads again.
 *
 * Idle streams are what a server holds most of, so each costs as little as it can: all the
 * streams of a server share one heartbeat timer (`EventStreams`), constant chunks are
 * encoded once, a poke is encoded once for every stream it goes to, and a stream's own
 * state is one small object (`EventStream`) that is also the body's underlying source, the
 * hub's subscriber and the abort listener, rather than a handful of closures.
 */
import { EVENTS, SSE_CONTENT_TYPE } from '@ferry/protocol';
import type { PokeHub, PokeSubscriber } from './hub.ts';

/** Reconnection delay suggested to `EventSource` clients. */
const RETRY_MS = 2000;
/** Chunks queued, unread, before pokes start to collapse. */
const HIGH_WATER_MARK = 8;

const encoder = new TextEncoder();
const PING = encoder.encode(': ping\n\n');
const RETRY = encoder.encode(`retry: ${RETRY_MS}\n\n`);
// Shared by every response: `Response` copies them into a `Headers` of its own.
const RESPONSE_INIT: ResponseInit = Object.freeze({
  headers: Object.freeze({
    'content-type': `${SSE_CONTENT_TYPE}; charset=utf-8`,
    'cache-control': 'no-cache, no-transform',
    // Tell nginx-style proxies not to buffer the stream.
    'x-accel-buffering': 'no',
  }),
});
// Every chunk counts as one; a shared size function, since the default is a new one per stream.
const chunkCount = () => 1;
const QUEUE: QueuingStrategy<Uint8Array> = { highWaterMark: HIGH_WATER_MARK, size: chunkCount };

export interface EventStreamsOptions {
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
}

/** The open event streams of one server, and the one heartbeat timer they share. */
export class EventStreams {
  private readonly streams = new Set<EventStream>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private unregister: (() => void) | undefined;
  private encodedVersion = -1;
  private encodedPoke = new Uint8Array();

  constructor(readonly options: EventStreamsOptions) {}

  /** Streams open now. */
  get size(): number {
    return this.streams.size;
  }

  /**
   * Opens a stream of pokes for `spaces` (already authorised). `signal`, when given, ends
   * the stream when it aborts; cancelling the response body always does.
   */
  open(spaces: readonly string[], signal?: AbortSignal): Response {
    const body = new ReadableStream<Uint8Array>(new EventStream(this, spaces, signal), QUEUE);
    return new Response(body, RESPONSE_INIT);
  }

  /** Writes the heartbeat comment to every open stream: one timer for all of them. */
  private readonly beat = () => {
    for (const stream of this.streams) stream.ping();
  };

  /** Ends every open stream with a retry hint: the server is shutting down. */
  private readonly closeAll = () => {
    for (const stream of [...this.streams]) stream.shutdown();
  };

  /** A poke chunk, encoded once however many streams it goes to. */
  pokeChunk(version: number): Uint8Array {
    if (version !== this.encodedVersion) {
      this.encodedPoke = encoder.encode(`event: ${EVENTS.poke}\ndata: {"version":${version}}\n\n`);
      this.encodedVersion = version;
    }
    return this.encodedPoke;
  }

  added(stream: EventStream): void {
    this.streams.add(stream);
    if (this.streams.size !== 1) return;
    this.timer = setInterval(this.beat, this.options.heartbeatMs);
    this.timer.unref?.();
    this.unregister = this.options.register(this.closeAll);
  }

  removed(stream: EventStream): void {
    if (!this.streams.delete(stream) || this.streams.size !== 0) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.unregister?.();
    this.unregister = undefined;
  }
}

/**
 * One stream's state. It is the response body's underlying source (`start`, `pull`,
 * `cancel`), the hub's subscriber (`poke`) and the abort signal's listener (`handleEvent`).
 */
class EventStream implements UnderlyingDefaultSource<Uint8Array>, PokeSubscriber {
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  /** A poke says "pull up to at least this version"; one that says no more is dropped. */
  private lastPokedVersion = -1;
  /** The collapsed poke waiting for the reader to catch up, or -1. */
  private pendingVersion = -1;
  private closed = false;

  constructor(
    private readonly streams: EventStreams,
    private readonly spaces: readonly string[],
    private readonly signal: AbortSignal | undefined,
  ) {}

  start(controller: ReadableStreamDefaultController<Uint8Array>): void {
    this.controller = controller;
    const { hub, onOpen } = this.streams.options;
    if (this.signal?.aborted) {
      this.closed = true;
      controller.close();
      return;
    }
    hub.add(this.spaces, this);
    this.streams.added(this);
    this.signal?.addEventListener('abort', this);
    onOpen?.();
    controller.enqueue(RETRY);
    this.writePoke(hub.headVersion);
  }

  /** The reader wants more: write the poke that collapsed while it was behind. */
  pull(): void {
    if (this.pendingVersion < 0 || this.closed) return;
    const version = this.pendingVersion;
    this.pendingVersion = -1;
    this.writePoke(version);
  }

  cancel(): void {
    this.end();
  }

  /** The request's signal aborted: the client went away. */
  handleEvent(): void {
    this.end();
  }

  poke(version: number): void {
    if (this.closed || version <= this.lastPokedVersion || version <= this.pendingVersion) return;
    if ((this.controller!.desiredSize ?? 1) <= 0) {
      this.pendingVersion = Math.max(this.pendingVersion, version);
      return;
    }
    this.writePoke(version);
  }

  ping(): void {
    // A reader whose queue is full has unread data already; a ping would only pile up.
    if (this.closed || (this.controller!.desiredSize ?? 1) <= 0) return;
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
    this.controller!.close();
  }

  private writePoke(version: number): void {
    if (version > this.lastPokedVersion) this.lastPokedVersion = version;
    this.write(this.streams.pokeChunk(version));
    if (!this.closed) this.streams.options.onPoke?.();
  }

  /**
   * A stream that can no longer be written to (errored by its consumer without being
   * cancelled) is ended, rather than throwing into the shared timer or the hub's fan-out.
   */
  private write(chunk: Uint8Array): void {
    try {
      this.controller!.enqueue(chunk);
    } catch {
      this.end();
    }
  }

  private end(): void {
    if (this.closed) return;
    this.closed = true;
    this.streams.options.hub.remove(this.spaces, this);
    this.streams.removed(this);
    this.signal?.removeEventListener('abort', this);
    this.streams.options.onClose?.();
  }
}
