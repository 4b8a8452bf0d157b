/**
 * The live event stream: `GET /v1/events` read through the client's own fetch stack (not
 * `EventSource`, so the bearer token travels in the Authorization header everywhere and a
 * refused token is refreshed like any other request). Each `poke` goes to `onPoke`; the
 * connection is kept up until `stop()`, its states those of `scheduler/live-machine.ts`.
 *
 * - A connection that hears nothing, not even the server's `: ping`, for longer than its
 *   heartbeat window is presumed dead and left: the window follows the heartbeat the
 *   server announces when the stream opens (`: heartbeat 25000`), or the protocol's 25 s.
 * - Reconnects back off with jitter, from 250–500 ms up to 2.5–5 s while the app is in the
 *   foreground (15–30 s while hidden), never sooner than a Retry-After; while the runtime
 *   knows it is offline no attempt is made. `resetBackoff()` (the network returned, a
 *   request reached the server) starts the backoff over, so every client is back within
 *   a second or so of the server, spread out in time.
 * - A `reauthenticate` event (the token expired, or a space was withdrawn) goes to
 *   `onReauthenticate`, which makes the next request ask for a fresh token, and the stream
 *   is left at once; the next connection is a routine reconnect, not a loss.
 */
import { EVENTS, HEADERS, SSE_CONTENT_TYPE } from '@ferry/protocol';
import { FerryHttpError, FerryProtocolError } from './errors.ts';
import {
  DEFAULT_IDLE_TIMEOUT_MS,
  heartbeatWindowMs,
  type LoopReports,
  type LoopState,
  parseHeartbeatComment,
  type ReconnectTiming,
  waitToReconnect,
} from './live-timing.ts';
import { errorFields } from './logger.ts';
import { createLiveMachine, type LiveEvent, type LiveState } from './scheduler/live-machine.ts';
import { createSseParser } from './sse-parser.ts';

export { DEFAULT_IDLE_TIMEOUT_MS } from './live-timing.ts';

export interface LiveStreamOptions extends ReconnectTiming {
  /** The full events URL. */
  url: string;
  /** A fetch that authenticates and throws typed errors (`withAuth(withResponseCheck(…))`). */
  fetch: typeof fetch;
  /** Called with each poke's data (JSON text). */
  onPoke(data: string): void;
  /**
   * The server is ending the stream because its authority ended (`reason`: `token_expired`,
   * `spaces_changed`, or one this client does not know): the next request must carry a
   * fresh token. The stream then reconnects as after any end.
   */
  onReauthenticate?(reason: string): void;
  /** The state changed, or the time of the next attempt (`retryAt`, while reconnecting). */
  onStateChange(state: LiveState, retryAt: number | null): void;
  /** With no bytes (not even a ping) for this long, the connection is presumed dead; default from the heartbeat. */
  idleTimeoutMs?: number;
}

export interface LiveStream {
  start(): void;
  /** Closes the connection; settles once the connection loop has ended. */
  stop(): Promise<void>;
  /**
   * The server is reachable again, or the network is back: the next attempt comes after
   * the shortest backoff (jittered), not the one reached so far. A Retry-After still holds.
   */
  resetBackoff(): void;
  readonly running: boolean;
}

export function createLiveStream(options: LiveStreamOptions): LiveStream {
  let controller: AbortController | undefined;
  let loop: Promise<void> = Promise.resolve();
  const machine = createLiveMachine();
  let retryAt: number | null = null;
  const shared: LoopState = { attempt: 0, notBefore: 0, idleTimeoutMs: undefined, wake: undefined };
  const report = () => options.onStateChange(machine.state, retryAt);
  const transition = (event: LiveEvent, signal?: AbortSignal) => {
    // A stopped loop may still be unwinding while a new one starts; only the live one reports.
    if (signal?.aborted === true) return;
    if (machine.send(event)) report();
  };
  const setRetryAt = (at: number | null, signal: AbortSignal) => {
    if (signal.aborted || at === retryAt) return;
    retryAt = at;
    report();
  };

  return {
    start() {
      if (controller !== undefined) return;
      controller = new AbortController();
      shared.attempt = 0;
      transition('start');
      loop = runLoop(options, controller.signal, shared, {
        transition,
        setRetryAt,
      });
    },
    async stop() {
      if (controller !== undefined) {
        controller.abort();
        controller = undefined;
        retryAt = null;
        transition('stop');
      }
      await loop;
    },
    resetBackoff() {
      shared.attempt = 0;
      shared.wake?.();
    },
    get running() {
      return controller !== undefined;
    },
  };
}

async function runLoop(
  options: LiveStreamOptions,
  signal: AbortSignal,
  shared: LoopState,
  reports: LoopReports,
): Promise<void> {
  const { logger } = options;
  while (!signal.aborted) {
    let ended: 'lose' | 'renew' = 'lose';
    try {
      const renew = await connectOnce(options, signal, shared, () => {
        shared.attempt = 0;
        reports.transition('open', signal);
      });
      if (renew) ended = 'renew';
      else if (!signal.aborted) logger.info('the event stream ended');
    } catch (error) {
      if (signal.aborted) break;
      if (error instanceof FerryHttpError && error.retryAfterSeconds !== undefined) {
        shared.notBefore = options.now() + error.retryAfterSeconds * 1000;
      }
      logger.warn(errorFields(error), 'the event stream failed');
    }
    if (signal.aborted) break;
    reports.transition(ended, signal);
    await waitToReconnect(options, signal, shared, reports);
    shared.attempt += 1;
    reports.setRetryAt(null, signal);
  }
}

/**
 * One connection, from request to end of stream. Calls `onOpen` once the stream is up.
 * Resolves true when it was left on the server's `reauthenticate`.
 */
async function connectOnce(
  options: LiveStreamOptions,
  stopSignal: AbortSignal,
  shared: LoopState,
  onOpen: () => void,
): Promise<boolean> {
  // Aborted by stop() or by the idle watchdog, whichever comes first.
  const connection = new AbortController();
  const abort = () => connection.abort();
  stopSignal.addEventListener('abort', abort, { once: true });
  const idleTimeoutMs = () =>
    options.idleTimeoutMs ?? shared.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  let watchdog: unknown;
  const feedWatchdog = () => {
    if (watchdog !== undefined) options.timers.clearTimeout(watchdog);
    const timeoutMs = idleTimeoutMs();
    watchdog = options.timers.setTimeout(() => {
      options.logger.warn(
        { idleTimeoutMs: timeoutMs },
        'the event stream went quiet; reconnecting',
      );
      connection.abort();
    }, timeoutMs);
  };
  let reauthenticating = false;
  try {
    // Also bounds the wait for the response, so a server that never answers is left too.
    feedWatchdog();
    const response = await options.fetch(options.url, {
      headers: { accept: SSE_CONTENT_TYPE },
      signal: connection.signal,
    });
    const type = response.headers.get(HEADERS.contentType) ?? '';
    if (!type.startsWith(SSE_CONTENT_TYPE) || response.body === null) {
      await response.body?.cancel().catch(() => {});
      throw new FerryProtocolError(
        options.url,
        `expected an event stream, got ${type || 'no content type'}`,
      );
    }
    onOpen();
    const parser = createSseParser({
      onEvent(event) {
        if (reauthenticating) return;
        if (event.event === EVENTS.poke) options.onPoke(event.data);
        else if (event.event === EVENTS.reauthenticate) {
          reauthenticating = true;
          const reason = reauthenticateReason(event.data);
          options.logger.info({ reason }, 'the server asked for a fresh token; reconnecting');
          options.onReauthenticate?.(reason);
          // The server ends the stream after it; leaving now reconnects even if a proxy holds on.
          connection.abort();
        } else options.logger.debug({ event: event.event }, 'ignored an unknown event');
      },
      onComment(text) {
        const heartbeatMs = parseHeartbeatComment(text);
        if (heartbeatMs === undefined) return;
        shared.idleTimeoutMs = heartbeatWindowMs(heartbeatMs);
      },
    });
    try {
      await readText(response.body, connection.signal, (text) => {
        parser.push(text);
        // After the text: it may have announced the heartbeat, and so the window.
        feedWatchdog();
      });
    } catch (error) {
      // Leaving the stream may fail the read in progress; that is the routine end, not a fault.
      if (!reauthenticating) throw error;
    }
    return reauthenticating;
  } finally {
    if (watchdog !== undefined) options.timers.clearTimeout(watchdog);
    stopSignal.removeEventListener('abort', abort);
  }
}

/** The `reason` of a `reauthenticate` event's data, or 'unknown' when it has none. */
function reauthenticateReason(data: string): string {
  try {
    const reason: unknown = (JSON.parse(data) as { reason?: unknown } | null)?.reason;
    if (typeof reason === 'string') return reason;
  } catch {
    // Malformed data still asks for a fresh token: the event's name says what to do.
  }
  return 'unknown';
}

/** Reads a byte stream as text until it ends or `signal` aborts (which cancels it). */
async function readText(
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal,
  onText: (text: string) => void,
): Promise<void> {
  const reader = body.getReader();
  // Not every stream errors when its fetch is aborted, so cancel it explicitly.
  const cancel = () => {
    reader.cancel().catch(() => {});
  };
  if (signal.aborted) cancel();
  signal.addEventListener('abort', cancel, { once: true });
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      onText(decoder.decode(value, { stream: true }));
    }
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}
