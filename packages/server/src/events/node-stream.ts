/**
 * An event stream written straight to Node's own response, when the server runs on Node
 * (`listen` or `nodeListener`). No web `ReadableStream`, `Response` body or reader sits
 * between a poke and the socket: an idle stream keeps about 5 KiB less, and a poke reaches
 * the socket in the commit's own turn of the event loop.
 *
 * Node's response is the one thing a stream must hear from (`close`, and `drain` after a
 * write it could not take at once). Its listeners are two functions shared by every
 * stream, which find their stream through a property of the response, instead of two
 * closures per stream.
 *
 * The HTTP adapter (`@hono/node-server`) puts a `close` listener of its own on every
 * response it hands over, holding the request's web `Request`, its headers and URL until
 * the connection closes: 0.5–0.7 KiB an event stream would keep for the hours it lives.
 * All it does is abort that request's signal, which a stream on Node never reads, so the
 * stream takes it off once it owns the response.
 */
import type { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { StreamOwner } from './authority.ts';
import { EventStream, type StreamSet } from './event-stream.ts';

/** What a stream uses of Node's `ServerResponse`. */
export type NodeResponse = Pick<
  ServerResponse,
  | 'writeHead'
  | 'write'
  | 'end'
  | 'on'
  | 'off'
  | 'once'
  | 'destroyed'
  | 'writableEnded'
  | 'writableNeedDrain'
>;

type Listener = (...args: unknown[]) => void;
type Emitter = Pick<EventEmitter, 'off' | 'prependListener'>;

/** The adapter's `close` listener of each response not yet taken over by a stream. */
const adapterCloseListeners = new WeakMap<object, Listener>();

/**
 * Called by the function the adapter calls for a request, just before it returns: the
 * adapter adds its `close` listener as soon as that function has returned, before anything
 * else can run, so the next `close` listener added to the response in this same turn is
 * the adapter's. Any other listener, or none, is left alone.
 */
export function noteAdapterCloseListener(response: Emitter): void {
  const note = (event: string | symbol, listener: Listener) => {
    response.off('newListener', note);
    if (event === 'close') adapterCloseListeners.set(response, listener);
  };
  response.prependListener('newListener', note);
  queueMicrotask(() => response.off('newListener', note));
}

function dropAdapterCloseListener(response: NodeResponse): void {
  const listener = adapterCloseListeners.get(response);
  if (listener === undefined) return;
  adapterCloseListeners.delete(response);
  response.off('close', listener);
}

const STREAM = Symbol('ferry.eventStream');
type LinkedResponse = NodeResponse & { [STREAM]?: NodeEventStream | undefined };

function onClose(this: LinkedResponse): void {
  this[STREAM]?.gone();
}

function onDrain(this: LinkedResponse): void {
  this[STREAM]?.drained();
}

/**
 * Node builds a response's header block by appending to a string, one piece per name,
 * separator and value, and keeps that string on the response for as long as it is open.
 * V8 holds such a string as a tree of its pieces, about 30 of them for an event stream's
 * headers, ~0.9 KiB; an idle stream lives for hours, so it is flattened into one string
 * of ~0.3 KiB once. Converting a string to a number makes V8 flatten it in place; a
 * Node without `_header` is left as it is.
 */
function flattenStoredHeader(response: NodeResponse): void {
  const header: unknown = (response as { _header?: unknown })._header;
  if (typeof header === 'string') _flattenedHeaders += Number.isNaN(Number(header)) ? 1 : 0;
}
/** Counts the flattened headers, so that an optimising compiler cannot drop the conversion. */
let _flattenedHeaders = 0;

export class NodeEventStream extends EventStream {
  constructor(
    streams: StreamSet,
    spaces: readonly string[],
    private readonly response: LinkedResponse,
    owner?: StreamOwner,
  ) {
    super(streams, spaces, owner);
  }

  /** Sends the status and headers with the opening chunks. */
  open(headers: Record<string, string>): void {
    const { response } = this;
    if (response.destroyed || response.writableEnded) {
      this.closed = true;
      return;
    }
    response[STREAM] = this;
    dropAdapterCloseListener(response);
    response.on('close', onClose);
    response.writeHead(200, headers);
    flattenStoredHeader(response);
    this.begin();
  }

  /** The connection closed: the client went away, or the server closed it. */
  gone(): void {
    this.end();
  }

  /** Node's buffer emptied. */
  drained(): void {
    this.caughtUp();
  }

  protected behind(): boolean {
    return this.response.writableNeedDrain;
  }

  protected send(chunk: Uint8Array): void {
    const { response } = this;
    // Plain on purpose: EventStream.write catches it and ends the stream; it never reaches the app.
    if (response.destroyed || response.writableEnded) throw new Error('the response has ended');
    const wasBehind = response.writableNeedDrain;
    // Node keeps what the socket could not take; `drain` says when it has gone out.
    if (!response.write(chunk) && !wasBehind) response.once('drain', onDrain);
  }

  protected finish(): void {
    this.response.end();
  }

  protected override detach(): void {
    // Cleared rather than deleted, so every response keeps one shape.
    this.response[STREAM] = undefined;
  }
}
