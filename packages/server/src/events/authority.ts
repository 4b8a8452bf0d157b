/**
 * How long an event stream may go on. A stream is authorised once, when it opens, and may
 * then live for hours; it must not outlive the authority it was opened with (I5):
 *
 * - at its token's `exp` it ends, after a `reauthenticate` event (`token_expired`), by a
 *   timer of its own; every poke also compares the clock with `exp`, so a busy event loop
 *   that runs the timer late never lets a poke through after it;
 * - when its user's spaces can change while the token is valid (`resolveSpaces`), it asks
 *   for them every `spacesRecheckMs` and ends, after a `reauthenticate` event
 *   (`spaces_changed`), once a space it serves is no longer among them. The answer is acted
 *   on in the turn it arrives, so no poke for that space follows the decision.
 *
 * One timer per stream, set for whichever comes first; each stream's re-checks fall at
 * their own times, so 10,000 streams never ask for their spaces at once. A stream whose
 * principal neither expires nor re-checks holds no timer at all.
 */
import { REAUTHENTICATE_REASONS, type ReauthenticateReason } from '@ferry/protocol';

/** Who a stream is for, and how long for: the `Principal` it was opened with. */
export interface StreamOwner {
  userId: string;
  /** When the credential stops being valid, in ms since the epoch. */
  expiresAtMs?: number | undefined;
  /** The spaces granted to the user now, for spaces that can change while it is valid. */
  currentSpaces?: (() => Promise<readonly string[]>) | undefined;
}

export interface AuthoritySettings {
  /** How often a stream whose owner has `currentSpaces` asks for them. */
  spacesRecheckMs: number;
  /** Hears a re-check that failed; the stream then ends with a retry hint. */
  onRecheckError?: ((error: unknown, userId: string) => void) | undefined;
}

/** What an authority needs of its stream. */
export interface AuthorisedStream {
  readonly spaces: readonly string[];
  /** Writes a `reauthenticate` event with the reason, then ends the stream. */
  revoke(reason: ReauthenticateReason): void;
  /** Ends the stream with a retry hint. */
  shutdown(): void;
}

/** The longest delay `setTimeout` takes: a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Shared by every stream's timer, which passes its authority: no closure per stream. */
function onTimer(authority: StreamAuthority): void {
  authority.check();
}

export class StreamAuthority {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly expiresAtMs: number;
  private recheckAtMs: number;
  private rechecking = false;
  private stopped = false;

  private constructor(
    private readonly stream: AuthorisedStream,
    private readonly owner: StreamOwner,
    private readonly settings: AuthoritySettings,
  ) {
    this.expiresAtMs = owner.expiresAtMs ?? Number.POSITIVE_INFINITY;
    this.recheckAtMs = owner.currentSpaces
      ? Date.now() + settings.spacesRecheckMs
      : Number.POSITIVE_INFINITY;
  }

  /** The authority of a stream, or undefined when its owner neither expires nor re-checks. */
  static of(
    stream: AuthorisedStream,
    owner: StreamOwner | undefined,
    settings: AuthoritySettings,
  ): StreamAuthority | undefined {
    if (owner?.expiresAtMs === undefined && owner?.currentSpaces === undefined) return undefined;
    return new StreamAuthority(stream, owner, settings);
  }

  /** True once the credential has expired: the stream may write nothing but the reason. */
  expired(): boolean {
    return this.expiresAtMs <= Date.now();
  }

  /** Starts the timer; `stop` ends it. */
  start(): void {
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The timer fired: ends the stream at `exp`, or starts a re-check when one is due. */
  check(): void {
    this.timer = undefined;
    if (this.stopped) return;
    if (this.expired()) {
      this.stream.revoke(REAUTHENTICATE_REASONS.tokenExpired);
      return;
    }
    if (!this.rechecking && this.recheckAtMs <= Date.now()) void this.recheck();
    this.arm();
  }

  private arm(): void {
    if (this.stopped) return;
    const next = Math.min(
      this.expiresAtMs,
      this.rechecking ? Number.POSITIVE_INFINITY : this.recheckAtMs,
    );
    if (next === Number.POSITIVE_INFINITY) return;
    const delayMs = Math.min(Math.max(0, next - Date.now()), MAX_TIMER_MS);
    this.timer = setTimeout(onTimer, delayMs, this);
    this.timer.unref?.();
  }

  /** Asks for the spaces granted now; acts on the answer in the turn it arrives. */
  private async recheck(): Promise<void> {
    this.rechecking = true;
    let granted: readonly string[];
    try {
      granted = await this.owner.currentSpaces!();
      if (!Array.isArray(granted)) throw new TypeError('currentSpaces() did not give an array');
    } catch (error) {
      this.rechecking = false;
      if (this.stopped) return;
      // Unconfirmed, the stream ends; its client comes back and is authorised afresh.
      this.settings.onRecheckError?.(error, this.owner.userId);
      this.stream.shutdown();
      return;
    }
    this.rechecking = false;
    if (this.stopped) return;
    if (this.stream.spaces.some((space) => !granted.includes(space))) {
      this.stream.revoke(REAUTHENTICATE_REASONS.spacesChanged);
      return;
    }
    this.recheckAtMs = Date.now() + this.settings.spacesRecheckMs;
    clearTimeout(this.timer);
    this.arm();
  }
}
