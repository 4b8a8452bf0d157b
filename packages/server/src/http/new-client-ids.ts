/**
 * How many client ids each user may register: every push or pull naming a client id the
 * server has not seen registers it, as a row kept for good, so one user could otherwise
 * fill the database with them. Each user has `perHour` to spend, refilled over the hour;
 * only ids that turn out to be new are spent.
 *
 * A request takes an allowance before it runs and gives it back when its client id was
 * already registered, so concurrent requests can never register more than the limit. A
 * user with none left may still use the ids they have: one small lookup says whether the
 * id exists, and only a new one is refused, with 429 `rate_limited` and a Retry-After.
 */
import { FerryError } from '@ferry/protocol';
import type { Database } from '../db/driver.ts';
import { RateLimiter } from './rate-limit.ts';

const EXISTS_SQL = 'SELECT 1 AS found FROM ferry_clients WHERE client_id = $1';

export class NewClientIds {
  private readonly allowance: RateLimiter;

  constructor(
    private readonly database: Database,
    private readonly perHour: number,
    now?: () => number,
  ) {
    // Checked by the server's options: a whole number of at least 1.
    this.allowance = new RateLimiter(
      { requestsPerSecond: perHour / 3600, burst: perHour },
      'rateLimit',
      now,
    );
  }

  /**
   * Runs `request` for `userId` naming `clientId`, unless it would register one client id
   * more than the user may; `registered` tells from its outcome whether it did.
   */
  async admit<T>(
    userId: string,
    clientId: string,
    request: () => Promise<T>,
    registered: (outcome: T) => boolean,
  ): Promise<T> {
    const waitSeconds = this.allowance.tryTake(userId);
    if (waitSeconds > 0) {
      // Ids are never removed, so one that exists now cannot be registered by this request.
      const rows = await this.database.query(EXISTS_SQL, [clientId]);
      if (rows.length === 0) throw this.refusal(waitSeconds);
      return request();
    }
    let spent = false;
    try {
      const outcome = await request();
      spent = registered(outcome);
      return outcome;
    } finally {
      if (!spent) this.allowance.giveBack(userId);
    }
  }

  private refusal(waitSeconds: number): FerryError {
    return new FerryError(
      'rate_limited',
      `this user has registered new client ids faster than the server allows (${this.perHour} an hour); a client keeps its id in durable storage and reuses it; retry with this client id in ${waitSeconds} s`,
      { retryAfterSeconds: waitSeconds },
    );
  }
}
