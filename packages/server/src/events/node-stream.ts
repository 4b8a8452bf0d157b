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
 */
import type { ServerResponse } from 'node:http';
import { EventStream, type StreamSet } from './event-stream.ts';

/** What a stream uses of Node's `ServerResponse`. */
export type NodeResponse = Pick<
  ServerResponse,
  | 'writeHead'
  | 'write'
  | 'end'
  | 'on'
  | 'once'
  | 'destroyed'
  | 'writableEnded'
  | 'writableNeedDrain'
>;

const STREAM = Symbol('ferry.eventStream');
type LinkedResponse = NodeResponse & { [STREAM]?: NodeEventStream | undefined };

function onClose(this: LinkedResponse): void {
  this[STREAM]?.gone();
}

function onDrain(this: LinkedResponse): void {
  this[STREAM]?.drained();
}

export class NodeEventStream extends EventStream {
  constructor(
    streams: StreamSet,
    spaces: readonly string[],
    private readonly response: LinkedResponse,
  ) {
    super(streams, spaces);
  }

  /** Sends the status and headers with the opening chunks. */
  open(headers: Record<string, string>): void {
    const { response } = this;
    if (response.destroyed || response.writableEnded) {
      this.closed = true;
      return;
    }
    response[STREAM] = this;
    response.on('close', onClose);
    response.writeHead(200, headers);
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
