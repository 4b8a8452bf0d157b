/**
 * A small in-memory server speaking protocol v1, for driving the client in tests: push
 * with duplicate detection and ifVersion, pull with version-number cursors and pages,
 * events, bearer tokens, and knobs for rejections, lost responses, failures and resets.
 * It validates requests with the protocol's own parsers, so a client that sends anything
 * malformed fails loudly here too. It is not the real server and proves nothing about it.
 */
import {
  EVENTS,
  FerryError,
  type JsonObject,
  type Mutation,
  type MutationRejection,
  type MutationResult,
  type PullResponse,
  type PushResponse,
  parsePullRequest,
  parsePushRequest,
  ROUTES,
  SSE_CONTENT_TYPE,
  SSE_HEARTBEAT_COMMENT,
} from '@ferry/protocol';

export interface ServerRecord {
  space: string;
  collection: string;
  key: string;
  /** null: deleted (a tombstone). */
  value: JsonObject | null;
  version: number;
}

type Route = 'push' | 'pull' | 'events';

export interface Failure {
  route: Route;
  status: number;
  code?: string;
  message?: string;
  retryAfterSeconds?: number;
  /** A raw body instead of a Ferry error body. */
  rawBody?: string;
}

export interface Hold {
  /** Settles when the held request has arrived. */
  arrived: Promise<void>;
  release(): void;
}

export const BASE_URL = 'https://ferry.test/sync';

const encoder = new TextEncoder();

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

function errorResponse(code: string, message: string, status: number): Response {
  return json(status, { error: { code, message } });
}

function keyOf(space: string, collection: string, key: string): string {
  return `${space}\u0000${collection}\u0000${key}`;
}

export class FakeServer {
  version = 0;
  readonly records = new Map<string, ServerRecord>();
  readonly clients = new Map<string, { user: string; lastMutationId: number }>();
  readonly tokens = new Map<string, { user: string; spaces: string[] }>();
  /** Mutations that took effect, and mutations refused, over the server's life. */
  appliedCount = 0;
  rejectedCount = 0;
  /** Every request, in arrival order. */
  readonly requests: Array<{
    route: Route | 'other';
    body: unknown;
    authorization: string | null;
  }> = [];
  /** Decides per mutation whether to reject it (with a code) instead of applying it. */
  rejectWhen: (mutation: Mutation) => { code: string; message: string } | undefined = () =>
    undefined;
  /** Push requests whose response is lost after the server applied them. */
  losePushResponses = 0;
  /** The next pull answers `reset: true` with a snapshot from the beginning. */
  resetNextPull = false;
  /** Pages with more to come say how many changes remain, as protocol additions allow. */
  sendRemaining = true;
  /**
   * Answers the pull a push carries (a protocol addition), as Ferry's server does. Off by
   * default: a server from before the addition, after whose push the client pulls.
   */
  answersPullInPush = false;
  /** The heartbeat an event stream announces as it opens (an addition); none when undefined. */
  heartbeatMs: number | undefined = undefined;
  readonly failures: Failure[] = [];
  readonly #holds = new Map<Route, Array<{ arrived: () => void; released: Promise<void> }>>();
  readonly #answerHolds = new Map<Route, Array<{ arrived: () => void; released: Promise<void> }>>();
  readonly #streams = new Set<ReadableStreamDefaultController<Uint8Array>>();
  readonly #rejections = new Map<string, MutationRejection>();

  constructor(tokens: Record<string, { user: string; spaces: string[] }> = {}) {
    for (const [token, principal] of Object.entries(tokens)) this.tokens.set(token, principal);
  }

  get openStreams(): number {
    return this.#streams.size;
  }

  countRequests(route: Route): number {
    return this.requests.filter((r) => r.route === route).length;
  }

  /** Holds the next request to `route` until released. */
  hold(route: Route): Hold {
    return this.#hold(this.#holds, route);
  }

  /**
   * Holds the answer to the next request to `route` until released: the request has been
   * served (a push applied, a pull read), its answer not yet sent.
   */
  holdAnswer(route: Route): Hold {
    return this.#hold(this.#answerHolds, route);
  }

  #hold(
    holds: Map<Route, Array<{ arrived: () => void; released: Promise<void> }>>,
    route: Route,
  ): Hold {
    let arrived!: () => void;
    let release!: () => void;
    const arrivedPromise = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const queue = holds.get(route) ?? [];
    queue.push({ arrived, released });
    holds.set(route, queue);
    return { arrived: arrivedPromise, release };
  }

  /** A write by someone else, committed directly; pokes open streams. */
  commit(space: string, collection: string, key: string, value: JsonObject | null): number {
    this.version += 1;
    this.records.set(keyOf(space, collection, key), {
      space,
      collection,
      key,
      value,
      version: this.version,
    });
    this.poke();
    return this.version;
  }

  /**
   * A write by someone else whose poke carries it, as the real server's pokes do after a
   * small commit: `from` is the highest version of the space's other records, unless given.
   */
  commitInPoke(
    space: string,
    collection: string,
    key: string,
    value: JsonObject | null,
    from?: number,
  ): number {
    const address = keyOf(space, collection, key);
    let base = 0;
    for (const [k, r] of this.records) {
      if (k !== address && r.space === space && r.version > base) base = r.version;
    }
    this.version += 1;
    const change = { space, collection, key, value, version: this.version };
    this.records.set(address, change);
    const data = {
      version: this.version,
      from: from ?? base,
      cursor: String(this.version),
      changes: [change],
    };
    this.sendRaw(`event: ${EVENTS.poke}\ndata: ${JSON.stringify(data)}\n\n`);
    return this.version;
  }

  /** The live records (tombstones left out) of a space and collection, by key. */
  recordsOf(space: string, collection: string): Record<string, JsonObject> {
    const out: Record<string, JsonObject> = {};
    for (const r of this.records.values()) {
      if (r.space === space && r.collection === collection && r.value !== null) {
        out[r.key] = r.value;
      }
    }
    return out;
  }

  poke(): void {
    const frame = encoder.encode(`event: ${EVENTS.poke}\ndata: {"version": ${this.version}}\n\n`);
    for (const stream of this.#streams) stream.enqueue(frame);
  }

  /** Sends raw text to every open event stream. */
  sendRaw(text: string): void {
    for (const stream of this.#streams) stream.enqueue(encoder.encode(text));
  }

  /** Ends every open event stream, as a server restart would. */
  dropStreams(): void {
    for (const stream of this.#streams) stream.close();
    this.#streams.clear();
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const path = new URL(request.url).pathname;
    const route = (Object.entries({
      push: ROUTES.push,
      pull: ROUTES.pull,
      events: ROUTES.events,
    }).find(([, p]) => path === new URL(BASE_URL).pathname + p)?.[0] ?? 'other') as Route | 'other';
    const text = request.method === 'POST' ? await request.text() : '';
    const body = text === '' ? undefined : JSON.parse(text);
    this.requests.push({ route, body, authorization: request.headers.get('authorization') });
    if (route === 'other') return errorResponse('not_found', `no route ${path}`, 404);

    const hold = this.#holds.get(route)?.shift();
    if (hold !== undefined) {
      hold.arrived();
      await hold.released;
    }
    const failureIndex = this.failures.findIndex((f) => f.route === route);
    if (failureIndex !== -1) {
      const [failure] = this.failures.splice(failureIndex, 1);
      return this.#failureResponse(failure!);
    }
    const principal = this.tokens.get(
      request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '',
    );
    if (principal === undefined) return errorResponse('unauthorized', 'bad token', 401);
    try {
      if (route === 'events') return this.#events(request, principal);
      const answer = route === 'push' ? this.#push(body, principal) : this.#pull(body, principal);
      const held = this.#answerHolds.get(route)?.shift();
      if (held !== undefined) {
        held.arrived();
        await held.released;
      }
      if (route === 'push' && this.losePushResponses > 0) {
        this.losePushResponses -= 1;
        throw new TypeError('fetch failed: connection reset');
      }
      return json(200, answer);
    } catch (error) {
      if (error instanceof FerryError) return json(error.status, error.toBody());
      throw error;
    }
  };

  #failureResponse(failure: Failure): Response {
    const headers: Record<string, string> = {};
    if (failure.retryAfterSeconds !== undefined) {
      headers['retry-after'] = String(failure.retryAfterSeconds);
    }
    if (failure.rawBody !== undefined) {
      return new Response(failure.rawBody, { status: failure.status, headers });
    }
    return json(
      failure.status,
      { error: { code: failure.code ?? 'unavailable', message: failure.message ?? 'failure' } },
      headers,
    );
  }

  #claimClient(clientId: string, user: string) {
    const client = this.clients.get(clientId) ?? { user, lastMutationId: 0 };
    if (client.user !== user) throw new FerryError('forbidden', 'clientId of another user');
    this.clients.set(clientId, client);
    return client;
  }

  #push(body: unknown, principal: { user: string; spaces: string[] }): PushResponse {
    const request = parsePushRequest(body);
    const pull = this.answersPullInPush ? request.pull : undefined;
    if (pull?.spaces?.some((s) => !principal.spaces.includes(s))) {
      throw new FerryError('forbidden', 'space not granted');
    }
    const client = this.#claimClient(request.clientId, principal.user);
    const results: MutationResult[] = request.mutations.map((m): MutationResult => {
      if (m.id <= client.lastMutationId) {
        // Like the real server, a duplicate of a rejected mutation carries its rejection.
        const error = this.#rejections.get(`${request.clientId}/${m.id}`);
        return error === undefined
          ? { id: m.id, status: 'duplicate' }
          : { id: m.id, status: 'duplicate', error };
      }
      client.lastMutationId = m.id;
      const result = this.#apply(m, principal);
      if (result.status === 'applied') this.appliedCount += 1;
      else {
        this.rejectedCount += 1;
        if (result.status === 'rejected') {
          this.#rejections.set(`${request.clientId}/${m.id}`, result.error);
        }
      }
      return result;
    });
    if (results.some((r) => r.status === 'applied')) this.poke();
    const pushed = { results, lastMutationId: client.lastMutationId };
    if (pull === undefined) return pushed;
    return { ...pushed, pull: this.#pull({ clientId: request.clientId, ...pull }, principal) };
  }

  #apply(m: Mutation, principal: { spaces: string[] }): MutationResult {
    if (!principal.spaces.includes(m.space)) {
      return { id: m.id, status: 'rejected', error: { code: 'forbidden', message: 'space' } };
    }
    const rejection = this.rejectWhen(m);
    if (rejection !== undefined) {
      return { id: m.id, status: 'rejected', error: rejection as never };
    }
    const key = keyOf(m.space, m.collection, m.key);
    const current = this.records.get(key);
    const currentVersion = current?.value == null ? 0 : current.version;
    if (m.ifVersion !== undefined && m.ifVersion !== currentVersion) {
      return {
        id: m.id,
        status: 'rejected',
        error: { code: 'conflict', message: `version is ${currentVersion}` },
      };
    }
    this.version += 1;
    const base = current?.value ?? undefined;
    const value =
      m.op === 'delete'
        ? null
        : m.op === 'put'
          ? m.value
          : Object.fromEntries(
              Object.entries({ ...base, ...m.value }).filter(([, v]) => v !== null),
            );
    this.records.set(key, {
      space: m.space,
      collection: m.collection,
      key: m.key,
      value: value as JsonObject | null,
      version: this.version,
    });
    return { id: m.id, status: 'applied', version: this.version as never };
  }

  #pull(body: unknown, principal: { user: string; spaces: string[] }): PullResponse {
    const request = parsePullRequest(body);
    const spaces = request.spaces ?? principal.spaces;
    if (spaces.some((s) => !principal.spaces.includes(s))) {
      throw new FerryError('forbidden', 'space not granted');
    }
    const client = this.#claimClient(request.clientId, principal.user);
    let from = request.cursor === null ? 0 : Number(request.cursor);
    let reset = false;
    if (this.resetNextPull || !Number.isSafeInteger(from)) {
      this.resetNextPull = false;
      reset = true;
      from = 0;
    }
    const visible = [...this.records.values()]
      .filter((r) => r.version > from && spaces.includes(r.space))
      .sort((a, b) => a.version - b.version);
    const page = visible.slice(0, request.limit);
    const hasMore = visible.length > page.length;
    const cursor = hasMore ? page.at(-1)!.version : this.version;
    return {
      changes: page.map((r) => ({ ...r, space: r.space as never, version: r.version as never })),
      cursor: String(cursor),
      cursorVersion: cursor,
      hasMore,
      ...(hasMore && this.sendRemaining ? { remaining: visible.length - page.length } : {}),
      lastMutationId: client.lastMutationId,
      ...(reset ? { reset: true as const } : {}),
    };
  }

  #events(request: Request, _principal: { user: string; spaces: string[] }): Response {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const stream = new ReadableStream<Uint8Array>({
      start: (c) => {
        controller = c;
      },
      cancel: () => {
        this.#streams.delete(controller);
      },
    });
    this.#streams.add(controller);
    request.signal.addEventListener('abort', () => this.#streams.delete(controller));
    // The real server pokes once right after connecting, so a client catches up at once,
    // and announces its heartbeat.
    const heartbeat =
      this.heartbeatMs === undefined ? '' : `: ${SSE_HEARTBEAT_COMMENT} ${this.heartbeatMs}\n`;
    controller.enqueue(
      encoder.encode(
        `: hello\n${heartbeat}\nevent: ${EVENTS.poke}\ndata: {"version": ${this.version}}\n\n`,
      ),
    );
    return new Response(stream, { status: 200, headers: { 'content-type': SSE_CONTENT_TYPE } });
  }
}
