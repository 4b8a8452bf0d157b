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
  /** Most mutations committed in one group-commit transaction. */
  maxBatchMutations: number;
  /**
   * Most mutations waiting for a group-commit transaction. A client push beyond it is
   * refused with 503 `unavailable` and Retry-After: 1 (the client keeps it and retries);
   * the app's server writes always wait. About two seconds of PostgreSQL's write rate.
   */
  maxQueuedMutations: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  ...DEFAULT_LIMITS,
  maxValueDepth: 64,
  maxBatchMutations: 5000,
  maxQueuedMutations: 20_000,
};

export const DEFAULT_HEARTBEAT_MS = SSE_HEARTBEAT_MS;
/** Lifetime of tokens minted by the dev-mode token route. */
export const DEFAULT_DEV_TOKEN_TTL_SECONDS = 7 * 24 * 3600;
