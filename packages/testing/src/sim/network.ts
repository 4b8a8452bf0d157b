/**
 * A simulated world for several processes and one server: one simulated clock, and a
 * network between each process's `fetch` and the server handler that, driven by a seeded
 * generator, drops requests, drops responses after the server answered, delivers requests
 * twice, and delays them (which reorders them), and restarts the server: its handler is
 * closed and created again over the same database, before, while or after it handles a
 * request, which then fails as a network error. The server is called one request at a time,
 * so a seed always replays the same run; `settle()` waits for the server to finish before
 * time moves on.
 *
 * Answers are read to their end before they travel back, except the live event stream
 * (`GET /v1/events`), which is relayed as it comes (see stream.ts).
 */
import { createSimulatedClock, type SimulatedClock } from './clock.ts';
import { isEventStream, type Relay, relayStream, sweepRelays } from './stream.ts';

export type ServerHandler = (request: Request) => Promise<Response>;

export interface NetworkFaults {
  /** Probability that a request never reaches the server. */
  dropRequest: number;
  /** Probability that the server's answer is lost on the way back. */
  dropResponse: number;
  /** Probability that a request reaches the server a second time, later. */
  duplicate: number;
  /** Longest simulated delay of each leg, in ms; each leg takes 1 ms or more. */
  maxDelayMs: number;
  /** Probability that the server restarts around a request (with `restartServer` given). */
  serverRestart?: number;
}

export const PERFECT_NETWORK: NetworkFaults = {
  dropRequest: 0,
  dropResponse: 0,
  duplicate: 0,
  maxDelayMs: 1,
};

/** What a process looks like to the network. */
export interface NetworkEndpoint {
  alive(): boolean;
  online(): boolean;
  /** Called when a response reaches the process; true means the process dies on receipt. */
  crashOnReceipt?(): boolean;
}

export interface NetworkStats {
  requests: number;
  delivered: number;
  droppedRequests: number;
  droppedResponses: number;
  duplicates: number;
  offline: number;
  serverRestarts: number;
  /** Event streams opened. */
  streams: number;
}

export interface SimulatedNetwork {
  readonly clock: SimulatedClock;
  faults: NetworkFaults;
  readonly stats: NetworkStats;
  fetchFor(endpoint: NetworkEndpoint): typeof fetch;
  /** Waits `ms` of simulated time; rejects with the signal's reason if it aborts first. */
  sleep(ms: number, signal?: AbortSignal | null): Promise<void>;
  /** Lets promise chains run and the server finish every request it has been handed. */
  settle(): Promise<void>;
  advance(ms: number): Promise<void>;
  advanceUntil(predicate: () => boolean, maxMs: number): Promise<boolean>;
  /** Calls the server directly, outside the simulation (for observers). */
  direct(request: Request): Promise<Response>;
  /** Restarts the server once every request handed to it has finished. */
  restartServer(): Promise<void>;
  /** Event streams open now. */
  readonly openStreams: number;
  /** Ends every event stream, as when all the processes go away. */
  closeStreams(): void;
}

/** When a restart strikes, relative to the request it comes with. */
type RestartPhase = 'before' | 'during' | 'after';

const never = <T>(): Promise<T> => new Promise<T>(() => {});
/** Timers of the network itself belong to no process and are never dropped. */
const NETWORK_GENERATION = Number.MAX_SAFE_INTEGER;

interface Captured {
  url: string;
  method: string;
  headers: [string, string][];
  body: string | undefined;
}

async function capture(input: RequestInfo | URL, init?: RequestInit): Promise<Captured> {
  const request = new Request(input, { ...init, signal: undefined });
  const body = request.method === 'GET' ? undefined : await request.text();
  return { url: request.url, method: request.method, headers: [...request.headers], body };
}

const rebuild = (c: Captured) =>
  new Request(c.url, { method: c.method, headers: c.headers, body: c.body });

export function createSimulatedNetwork(options: {
  handler: ServerHandler;
  random: () => number;
  startAt: number;
  faults?: NetworkFaults;
  settleTurns?: number;
  /** Closes the server and creates it again on the same database; without it, no restarts. */
  restartServer?: () => Promise<void>;
}): SimulatedNetwork {
  const clock = createSimulatedClock(options.startAt);
  const { random, handler } = options;
  const settleTurns = options.settleTurns ?? 20;
  let serverQueue: Promise<unknown> = Promise.resolve();
  let inFlight = 0;
  const stats: NetworkStats = {
    requests: 0,
    delivered: 0,
    droppedRequests: 0,
    droppedResponses: 0,
    duplicates: 0,
    offline: 0,
    serverRestarts: 0,
    streams: 0,
  };
  const relays = new Set<Relay>();
  const restart = async () => {
    if (options.restartServer === undefined) return;
    stats.serverRestarts += 1;
    await options.restartServer();
  };

  const turns = async () => {
    for (let turn = 0; turn < settleTurns; turn++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  const settle = async () => {
    sweepRelays(relays);
    do {
      await serverQueue.catch(() => {});
      await turns();
    } while (inFlight > 0);
  };

  const serve = async (captured: Captured) => {
    const response = await handler(rebuild(captured));
    const text = await response.text();
    return new Response(text, { status: response.status, headers: response.headers });
  };

  /** Runs `call` on the server after every earlier request finished. */
  const enqueue = <T>(call: () => Promise<T>): Promise<T> => {
    inFlight += 1;
    const result = serverQueue.then(call);
    serverQueue = result.then(
      () => {
        inFlight -= 1;
      },
      () => {
        inFlight -= 1;
      },
    );
    return result;
  };

  /**
   * Hands a request to the server after every earlier one finished; reads the whole body.
   * With a restart, the request fails as a network error: refused before the server saw it,
   * cut off while the old server drains, or its answer lost after it was handled.
   */
  const deliver = (captured: Captured, restartPhase?: RestartPhase): Promise<Response> => {
    stats.delivered += 1;
    return enqueue(async () => {
      if (restartPhase === undefined) return serve(captured);
      if (restartPhase === 'before') await restart();
      else if (restartPhase === 'after') await serve(captured).then(restart, restart);
      else {
        // The old server is closed while this request runs: it drains, then a new one starts.
        const running = serve(captured).catch(() => {});
        await restart();
        await running;
      }
      throw failure(`connection reset, the server restarted (${restartPhase} handling)`);
    });
  };

  const sleep = (ms: number, signal?: AbortSignal | null) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clock.clearTimeout(handle);
        reject(signal?.reason);
      };
      const handle = clock.setTimeout(
        NETWORK_GENERATION,
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        ms,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });

  const delay = () => 1 + Math.floor(random() * network.faults.maxDelayMs);
  const failure = (why: string) => new TypeError(`fetch failed: ${why} (simulated network)`);

  const network: SimulatedNetwork = {
    clock,
    faults: options.faults ?? PERFECT_NETWORK,
    stats,
    sleep,
    settle,
    advance: (ms) => clock.advance(ms, settle),
    async advanceUntil(predicate, maxMs) {
      await clock.advance(maxMs, settle, predicate);
      return predicate();
    },
    direct: (request) => handler(request),
    restartServer: () => enqueue(restart),
    get openStreams() {
      return relays.size;
    },
    closeStreams() {
      for (const relay of [...relays]) relay.drop();
    },
    fetchFor(endpoint) {
      return async (input, init) => {
        if (!endpoint.alive()) return never();
        const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
        if (signal?.aborted) throw signal.reason;
        stats.requests += 1;
        if (!endpoint.online()) {
          stats.offline += 1;
          throw failure('offline');
        }
        const captured = await capture(input, init);
        const faults = network.faults;
        if (isEventStream(captured.method, captured.url)) {
          // An event stream: lost on the way or relayed for as long as both ends hold it.
          const lost = random() < faults.dropRequest;
          await sleep(delay(), signal);
          if (!endpoint.alive()) return never();
          if (lost) {
            stats.droppedRequests += 1;
            throw failure('request lost');
          }
          stats.delivered += 1;
          const answer = await enqueue(() => handler(rebuild(captured)));
          if (!endpoint.alive() || signal?.aborted) {
            await answer.body?.cancel().catch(() => {});
            if (!endpoint.alive()) return never();
            throw signal?.reason;
          }
          if (!answer.ok) return new Response(await answer.text(), answer);
          stats.streams += 1;
          return relayStream(answer, endpoint, relays);
        }
        // Every draw is made up front, so the number of draws never depends on timing.
        const dropRequest = random() < faults.dropRequest;
        const dropResponse = random() < faults.dropResponse;
        const duplicate = random() < faults.duplicate;
        const outward = delay();
        const back = delay();
        const duplicateAfter = delay() * 2;
        const restartRoll = random();
        const phaseRoll = random();
        const restartPhase: RestartPhase | undefined =
          options.restartServer !== undefined && restartRoll < (faults.serverRestart ?? 0)
            ? phaseRoll < 1 / 3
              ? 'before'
              : phaseRoll < 2 / 3
                ? 'during'
                : 'after'
            : undefined;
        if (duplicate) {
          stats.duplicates += 1;
          clock.setTimeout(
            NETWORK_GENERATION,
            () => void deliver(captured).catch(() => {}),
            duplicateAfter,
          );
        }
        await sleep(outward, signal);
        if (!endpoint.alive()) return never();
        if (dropRequest) {
          stats.droppedRequests += 1;
          throw failure('request lost');
        }
        const response = await deliver(captured, restartPhase).catch(async (error: unknown) => {
          await sleep(back).catch(() => {});
          if (!endpoint.alive()) return never<Response>();
          throw error;
        });
        await sleep(back).catch(() => {});
        if (!endpoint.alive()) return never();
        if (dropResponse) {
          stats.droppedResponses += 1;
          throw failure('response lost');
        }
        if (endpoint.crashOnReceipt?.()) return never();
        if (signal?.aborted) throw signal.reason;
        return response;
      };
    },
  };
  return network;
}
