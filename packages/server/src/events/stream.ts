/**
 * One Server-Sent Events stream: a poke after every commit in the stream's spaces, a
 * `: ping` comment on an interval so proxies keep the connection open, and one poke at
 * once on connecting so a client that reconnects after a gap pulls what it missed.
 *
 * A consumer that reads slowly does not make pokes pile up: while its queue is full, new
 * pokes collapse into one carrying the highest version, written when it reads again.
 */
import { EVENTS, SSE_CONTENT_TYPE } from '@ferry/protocol';
import type { PokeHub } from './hub.ts';

export interface EventStreamOptions {
  hub: PokeHub;
  spaces: readonly string[];
  heartbeatMs: number;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
  onPoke?: () => void;
  onOpen?: () => void;
  onClose?: () => void;
  /** Called with a function that ends the stream, so the server can close it on shutdown. */
  register: (close: () => void) => () => void;
}

/** Reconnection delay suggested to `EventSource` clients. */
const RETRY_MS = 2000;

export function openEventStream(options: EventStreamOptions): Response {
  const encoder = new TextEncoder();
  let cleanup = () => {};
  let pendingVersion: number | undefined;
  let flushPending = () => {};

  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let closed = false;
        const write = (text: string) => {
          if (!closed) controller.enqueue(encoder.encode(text));
        };
        // A poke says "pull up to at least this version"; one that says no more than an
        // earlier one (a replica's echo of its own commit, a late notification) is dropped.
        let lastPokedVersion = -1;
        const writePoke = (version: number) => {
          lastPokedVersion = Math.max(lastPokedVersion, version);
          write(`event: ${EVENTS.poke}\ndata: {"version":${version}}\n\n`);
          options.onPoke?.();
        };
        const onPoke = (version: number) => {
          if (version <= lastPokedVersion || version <= (pendingVersion ?? -1)) return;
          if ((controller.desiredSize ?? 1) <= 0) {
            pendingVersion = Math.max(pendingVersion ?? 0, version);
            return;
          }
          writePoke(version);
        };
        const unsubscribe = options.hub.subscribe(options.spaces, onPoke);
        const heartbeat = setInterval(() => write(': ping\n\n'), options.heartbeatMs);
        heartbeat.unref?.();
        let unregister = () => {};
        cleanup = () => {
          if (closed) return;
          closed = true;
          unsubscribe();
          unregister();
          clearInterval(heartbeat);
          options.signal.removeEventListener('abort', cleanup);
          options.onClose?.();
        };
        unregister = options.register(() => {
          // The server is shutting down: ask EventSource-style clients to come back after a
          // short, spread-out pause (to another replica, through the load balancer).
          write(`retry: ${RETRY_MS + Math.floor(Math.random() * RETRY_MS)}\n\n`);
          cleanup();
          controller.close();
        });
        options.signal.addEventListener('abort', cleanup);
        options.onOpen?.();
        write(`retry: ${RETRY_MS}\n\n`);
        writePoke(options.hub.headVersion);
        // Pulls that flush a collapsed poke are scheduled by `pull` below.
        flushPending = () => {
          if (pendingVersion === undefined) return;
          const version = pendingVersion;
          pendingVersion = undefined;
          writePoke(version);
        };
      },
      pull() {
        flushPending();
      },
      cancel() {
        cleanup();
      },
    },
    { highWaterMark: 8 },
  );

  return new Response(body, {
    headers: {
      'content-type': `${SSE_CONTENT_TYPE}; charset=utf-8`,
      'cache-control': 'no-cache, no-transform',
      // Tell nginx-style proxies not to buffer the stream.
      'x-accel-buffering': 'no',
    },
  });
}
