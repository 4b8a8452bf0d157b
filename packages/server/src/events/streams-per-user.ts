/**
 * How many event streams each user holds open, so that one user cannot take every socket
 * and file descriptor of the process (each stream holds one for as long as it lives).
 *
 * Beyond the cap the user's oldest stream is ended, not the new one refused: the streams a
 * real user has too many of are mostly ones left behind, by a laptop that went to sleep or
 * a phone that lost its network without closing the connection, which the server cannot
 * tell from live ones until TCP gives up on them many minutes later. Refusing the newest
 * would lock the user's open tab out while those linger; ending the oldest frees their
 * slots at once. Only the same user's streams are ever ended, so no one can end anybody
 * else's. An ended stream gets a retry hint first; a live client reconnects and is poked
 * at once, so it misses nothing.
 */

/** What the cap needs of a stream: a way to end it. */
export interface EndableStream {
  /** Ends the stream with a retry hint; it then leaves through `release`. */
  shutdown(): void;
}

export class StreamsPerUser<S extends EndableStream> {
  /**
   * Each user's open streams, oldest first (a Set keeps insertion order); a user with one
   * stream, as most have, holds it alone, without a Set (about 150 bytes a user).
   */
  private readonly byUser = new Map<string, S | Set<S>>();
  private readonly owners = new Map<S, string>();

  /** `max` 0: no cap, and nothing is tracked. */
  constructor(private readonly max: number) {}

  /** Counts an opened stream for `userId`, ending the user's oldest beyond the cap. */
  admit(userId: string, stream: S): void {
    if (this.max === 0) return;
    this.owners.set(stream, userId);
    const held = this.byUser.get(userId);
    if (held === undefined) {
      this.byUser.set(userId, stream);
      return;
    }
    let streams: Set<S>;
    if (held instanceof Set) {
      streams = held;
    } else {
      streams = new Set(held === undefined ? [] : [held]);
      this.byUser.set(userId, streams);
    }
    streams.add(stream);
    while (streams.size > this.max) {
      const oldest: S = streams.values().next().value!;
      // Ending it releases it; dropped here as well, should it have ended already.
      this.release(oldest);
      oldest.shutdown();
    }
  }

  /** Forgets a stream that ended; safe to call for one never admitted or already released. */
  release(stream: S): void {
    const userId = this.owners.get(stream);
    if (userId === undefined) return;
    this.owners.delete(stream);
    const held = this.byUser.get(userId);
    if (held instanceof Set) {
      held.delete(stream);
      if (held.size === 0) this.byUser.delete(userId);
    } else if (held === stream) {
      this.byUser.delete(userId);
    }
  }
}
