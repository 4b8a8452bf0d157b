/**
 * Server-Sent Events streams: a poke after every commit in a stream's spaces, a `: ping`
 * comment on an interval so proxies keep the connection open, and one poke at once on
 * connecting so a client that reconnects after a gap pulls what it missed (the rules of
 * one stream are in event-stream.ts).
 *
 * Idle streams are what a server holds most of, so each costs as little as it can: all the
 * streams of a server share one heartbeat timer (`EventStreams`), constant chunks are
 * encoded once, a poke is encoded once for every stream it goes to, and a stream's state
 * is one small object, with one timer of its own when its token expires (authority.ts); a
 * poke carrying a commit's changes is encoded once per set of spaces. On Node a stream writes straight to Node's response
 * (node-stream.ts); elsewhere it is the body of a web `Response` (web-stream.ts).
 */

import type { CommitPatch } from '../storage/commit-patch.ts';
import type { AuthoritySettings, StreamOwner } from './authority.ts';
import {
  type EventStream,
  type EventStreamsOptions,
  encodePoke,
  SSE_HEADERS,
  type StreamSet,
} from './event-stream.ts';
import { NodeEventStream, type NodeResponse } from './node-stream.ts';
import { PatchPokeCache } from './patch-poke.ts';
import { StreamsPerUser } from './streams-per-user.ts';
import { WEB_STREAM_QUEUE, WebEventStream } from './web-stream.ts';

export type { StreamOwner } from './authority.ts';
export type { EventStreamsOptions } from './event-stream.ts';

/** How often a stream whose spaces can change asks for them, unless told: the spaces cache's default lifetime. */
export const DEFAULT_SPACES_RECHECK_MS = 60_000;
export type { NodeResponse } from './node-stream.ts';

// Shared by every response: `Response` copies them into a `Headers` of its own.
const RESPONSE_INIT: ResponseInit = Object.freeze({ headers: SSE_HEADERS });

/** The open event streams of one server, and the one heartbeat timer they share. */
export class EventStreams implements StreamSet {
  private readonly streams = new Set<EventStream>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private unregister: (() => void) | undefined;
  private encodedVersion = -1;
  private encodedPoke: Uint8Array = new Uint8Array();
  private readonly patchPokes = new PatchPokeCache();
  private readonly perUser: StreamsPerUser<EventStream>;
  readonly authority: AuthoritySettings;

  constructor(readonly options: EventStreamsOptions) {
    this.perUser = new StreamsPerUser(options.maxStreamsPerUser ?? 0);
    this.authority = {
      spacesRecheckMs: options.spacesRecheckMs ?? DEFAULT_SPACES_RECHECK_MS,
      onRecheckError: options.onRecheckError,
    };
  }

  /** Streams open now. */
  get size(): number {
    return this.streams.size;
  }

  /**
   * Opens a stream of pokes for `spaces` (already authorised) as a web `Response`.
   * `signal`, when given, ends the stream when it aborts; cancelling the body always does.
   * `owner`, when given, counts it against that user's cap, and ends it when the owner's
   * credential expires or one of `spaces` is withdrawn (authority.ts).
   */
  open(spaces: readonly string[], signal?: AbortSignal, owner?: StreamOwner): Response {
    const stream = new WebEventStream(this, spaces, signal, owner);
    const body = new ReadableStream<Uint8Array>(stream, WEB_STREAM_QUEUE);
    this.admit(stream, owner?.userId);
    return new Response(body, RESPONSE_INIT);
  }

  /**
   * Opens a stream of pokes for `spaces` on Node's own response, which it then owns: status,
   * headers (the event-stream ones plus `headers`) and body. It ends when the connection
   * closes. `owner`, when given, is as for `open`.
   */
  openOnNode(
    spaces: readonly string[],
    response: NodeResponse,
    headers: Record<string, string>,
    owner?: StreamOwner,
  ): void {
    const stream = new NodeEventStream(this, spaces, response, owner);
    stream.open({ ...SSE_HEADERS, ...headers });
    this.admit(stream, owner?.userId);
  }

  /** Counts a stream that opened (and has not ended already) against its user's cap. */
  private admit(stream: EventStream, userId: string | undefined): void {
    if (userId !== undefined && this.streams.has(stream)) this.perUser.admit(userId, stream);
  }

  /** Writes the heartbeat comment to every open stream: one timer for all of them. */
  private readonly beat = () => {
    for (const stream of this.streams) stream.ping();
  };

  /** Ends every open stream with a retry hint: the server is shutting down. */
  private readonly closeAll = () => {
    for (const stream of [...this.streams]) stream.shutdown();
  };

  pokeChunk(version: number): Uint8Array {
    if (version !== this.encodedVersion) {
      this.encodedPoke = encodePoke(version);
      this.encodedVersion = version;
    }
    return this.encodedPoke;
  }

  patchChunk(patch: CommitPatch, version: number, spaces: readonly string[]) {
    return this.patchPokes.chunk(patch, version, spaces);
  }

  added(stream: EventStream): void {
    this.streams.add(stream);
    if (this.streams.size !== 1) return;
    this.timer = setInterval(this.beat, this.options.heartbeatMs);
    this.timer.unref?.();
    this.unregister = this.options.register(this.closeAll);
  }

  removed(stream: EventStream): void {
    this.perUser.release(stream);
    if (!this.streams.delete(stream) || this.streams.size !== 0) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.unregister?.();
    this.unregister = undefined;
  }
}
