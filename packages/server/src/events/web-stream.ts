/**
 * An event stream carried by a web `ReadableStream`: the body of a standard `Response`, for
 * any runtime. The stream object is also the body's underlying source (`start`, `pull`,
 * `cancel`) and the abort signal's listener (`handleEvent`), rather than a handful of
 * closures: with thousands of idle streams, every per-stream allocation counts.
 */
import type { StreamOwner } from './authority.ts';
import { EventStream, type StreamSet } from './event-stream.ts';

/** Chunks queued, unread, before pokes start to collapse. */
const HIGH_WATER_MARK = 8;
// Every chunk counts as one; a shared size function, since the default is a new one per stream.
const chunkCount = () => 1;
export const WEB_STREAM_QUEUE: QueuingStrategy<Uint8Array> = {
  highWaterMark: HIGH_WATER_MARK,
  size: chunkCount,
};

export class WebEventStream extends EventStream implements UnderlyingDefaultSource<Uint8Array> {
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;

  constructor(
    streams: StreamSet,
    spaces: readonly string[],
    private readonly signal: AbortSignal | undefined,
    owner?: StreamOwner,
  ) {
    super(streams, spaces, owner);
  }

  start(controller: ReadableStreamDefaultController<Uint8Array>): void {
    this.controller = controller;
    if (this.signal?.aborted) {
      this.closed = true;
      controller.close();
      return;
    }
    this.signal?.addEventListener('abort', this);
    this.begin();
  }

  /** The reader wants more. */
  pull(): void {
    this.caughtUp();
  }

  cancel(): void {
    this.end();
  }

  /** The request's signal aborted: the client went away. */
  handleEvent(): void {
    this.end();
  }

  protected behind(): boolean {
    return (this.controller!.desiredSize ?? 1) <= 0;
  }

  protected send(chunk: Uint8Array): void {
    this.controller!.enqueue(chunk);
  }

  protected finish(): void {
    this.controller!.close();
  }

  protected override detach(): void {
    this.signal?.removeEventListener('abort', this);
  }
}
