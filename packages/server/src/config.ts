/** Server limits and their defaults. */
import { DEFAULT_LIMITS, SSE_HEARTBEAT_MS } from '@ferry/protocol';

export interface ServerLimits {
  /** Largest request body in bytes, after decompression (413 `payload_too_large`). */
  maxBodyBytes: number;
  /** Most mutations in one push request (413 `payload_too_large`). */
  maxMutationsPerPush: number;
  /** Largest stored value in bytes of JSON; bigger ones are rejected per mutation (`too_large`). */
  maxValueBytes: number;
  /** Deepest nesting of a value; deeper ones are rejected per mutation (`too_large`). */
  maxValueDepth: number;
  /** Page size of a pull that names none. */
  defaultPullLimit: number;
  /** Largest page size a pull may ask for. */
  maxPullLimit: number;
  /**
   * Most mutations committed in one group-commit transaction. Many small pushes share one
   * transaction; pushes near the size cap commit on their own, which costs them little and
   * keeps a transaction's memory (in the server's own process on embedded PGlite) to one
   * push's worth.
   */
  maxBatchMutations: number;
  /**
   * Most group-commit transactions running at once on PostgreSQL. With more than 1, a push
   * that arrives while transactions run goes into a new one at once, up to this many,
   * rather than waiting for them to end; one user's pushes still commit one transaction at a
   * time, in the order they came. It pays where the database is across a network: at 1,000
   * writes/s from 50 clients, with about 1 ms added each way to PostgreSQL, 4 brought ack
   * p50 from 23.6 to 20.3 ms and p99 from 68 to 58 ms. With PostgreSQL on the server's own
   * small machine it costs CPU both share: 4 took p50 from 3.5–4.1 to 4.9–5.8 ms, so the
   * default is 1. Each takes a connection of the pool, which pulls share (`poolSize`,
   * default 10). Embedded PGlite has one connection and runs one at a time whatever this says.
   */
  maxConcurrentBatches: number;
  /**
   * Most mutations waiting for a group-commit transaction. A client push beyond it is
   * refused with 503 `unavailable` and Retry-After: 1 (the client keeps it and retries);
   * the app's server writes always wait. About two seconds of PostgreSQL's write rate.
   */
  maxQueuedMutations: number;
  /**
   * Most mutations one user's pushes may have waiting for a group-commit transaction. A push
   * beyond it is refused with 429 `rate_limited` and Retry-After: 1 (the client keeps it and
   * retries), so one user's flood can never fill the whole queue; a user with nothing
   * waiting may always push. Waiting pushes are taken into transactions in turn, one user's
   * after another's, so another user's push waits about one transaction, not the backlog.
   * 0: no per-user cap.
   */
  maxQueuedMutationsPerUser: number;
  /**
   * Most event streams one user may hold open on this server, across all their tokens and
   * devices. Opening one more ends that user's oldest stream (its client reconnects), so a
   * stream left behind by a device that went away never locks its user out. 0: no cap.
   */
  maxEventStreamsPerUser: number;
  /**
   * Most client ids one user may register per hour (a push or pull naming a client id the
   * server has not seen registers it), up to this many at once. Beyond it, requests with a
   * new client id get 429 `rate_limited` with Retry-After; client ids already registered keep
   * working. 0: no limit.
   */
  maxNewClientIdsPerUserPerHour: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  ...DEFAULT_LIMITS,
  maxValueDepth: 64,
  maxBatchMutations: 1000,
  maxConcurrentBatches: 1,
  maxQueuedMutations: 20_000,
  maxQueuedMutationsPerUser: 5000,
  maxEventStreamsPerUser: 32,
  maxNewClientIdsPerUserPerHour: 200,
};

export const DEFAULT_HEARTBEAT_MS = SSE_HEARTBEAT_MS;
/** Lifetime of tokens minted by the dev-mode token route: a day, the default token lifetime limit. */
export const DEFAULT_DEV_TOKEN_TTL_SECONDS = 24 * 3600;
