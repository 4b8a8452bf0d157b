/**
 * When a commit becomes visible. Writers take versions from a sequence and commit in any
 * order, so a commit may land while an older writer still holds lower versions; pulls read
 * only up to the watermark (storage/watermark.ts), and a commit above it shows to no one
 * yet. This process keeps the highest watermark it has learnt — from its own commits, from
 * other replicas' notifications, and from reading it — which its pulls read up to, and
 * holds back the pokes of commits above it until a watermark covers them, so a poke always
 * names a version a pull can reach.
 *
 * A commit left above the watermark is covered as soon as the writers below it end; the
 * gate reads the watermark again after a short pause, and then at growing intervals, until
 * every held commit is out. A watermark once learnt stays safe for every later read, so the
 * gate only ever raises its own.
 */
import type { CommitPatch } from '../storage/commit-patch.ts';

export interface VisibilityGateOptions {
  /** Reads the watermark from the database. */
  readWatermark: () => Promise<number>;
  /**
   * Announces changes in `spaces` (undefined: every space) up to `version`; `own` when this
   * process committed them.
   */
  release: (release: Release) => void;
  /** First pause before reading the watermark for held commits; default 2 ms. */
  firstRetryMs?: number;
  /** Longest pause between reads; default 200 ms. */
  maxRetryMs?: number;
  /**
   * Pulls read the watermark again, first, once the one learnt is this old; 0 or none:
   * never (one process is the only writer, as on PGlite).
   */
  maxAgeMs?: number;
  now?: () => number;
}

export interface Release {
  spaces: ReadonlySet<string> | undefined;
  version: number;
  own: boolean;
  patch?: CommitPatch | undefined;
}

type Held = Omit<Release, 'patch'>;

interface Waiter {
  version: number;
  resolve: () => void;
}

export class VisibilityGate {
  private safe = 0;
  private learntAt = Number.NEGATIVE_INFINITY;
  private held: Held[] = [];
  private waiters: Waiter[] = [];
  private reading: Promise<number> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private retryMs: number;
  private closed = false;

  constructor(private readonly options: VisibilityGateOptions) {
    this.retryMs = options.firstRetryMs ?? 2;
  }

  /** The highest watermark learnt: every change at or below it is visible. */
  get version(): number {
    return this.safe;
  }

  /** Commits waiting for a watermark (for tests and metrics). */
  get heldCount(): number {
    return this.held.length;
  }

  /** The watermark for a pull: the one learnt, read again first if it is too old. */
  async current(): Promise<number> {
    const maxAgeMs = this.options.maxAgeMs ?? 0;
    const now = this.options.now ?? Date.now;
    if (maxAgeMs > 0 && now() - this.learntAt > maxAgeMs) await this.refresh().catch(() => {});
    return this.safe;
  }

  /**
   * Resolves once the watermark reaches `version`, or after `timeoutMs` (the caller then goes
   * on with what is visible: a pull is never wrong, only older).
   */
  covering(version: number, timeoutMs: number): Promise<void> {
    if (version <= this.safe || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: Waiter = { version, resolve };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve();
      }, timeoutMs);
      timer.unref?.();
      waiter.resolve = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(waiter);
      this.schedule();
    });
  }

  /** Raises the watermark and lets out every held commit it covers. */
  learn(watermark: number): void {
    this.learntAt = (this.options.now ?? Date.now)();
    if (watermark <= this.safe) return;
    this.safe = watermark;
    this.retryMs = this.options.firstRetryMs ?? 2;
    if (this.waiters.length > 0) {
      const ready = this.waiters.filter((w) => w.version <= watermark);
      this.waiters = this.waiters.filter((w) => w.version > watermark);
      for (const w of ready) w.resolve();
    }
    if (this.held.length === 0) return;
    const out = this.held.filter((h) => h.version <= watermark);
    if (out.length === 0) return;
    this.held = this.held.filter((h) => h.version > watermark);
    for (const h of out) this.options.release(h);
  }

  /**
   * A commit in `spaces` (undefined: spaces not known, so every stream) whose highest
   * version is `version`, with the watermark its writer read after taking its versions.
   * Announced at once when covered, with its changes if it has a patch; held otherwise, and
   * then announced without them.
   */
  committed(commit: Release & { watermark: number | undefined }): void {
    const { watermark, ...release } = commit;
    if (watermark !== undefined) this.learn(watermark);
    if (release.version <= this.safe) {
      this.options.release(release);
      // Commits of this process held meanwhile may have waited for this one alone (batches
      // run side by side, and the later one committed first): read the watermark now
      // rather than after the pause.
      if (release.own && this.held.length > 0) this.refresh().catch(() => {});
      return;
    }
    this.held.push({ spaces: release.spaces, version: release.version, own: release.own });
    this.schedule();
  }

  /** Reads the watermark now (one read at a time) and learns it. */
  refresh(): Promise<number> {
    this.reading ??= this.options
      .readWatermark()
      .then((watermark) => {
        this.learn(watermark);
        return this.safe;
      })
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    const delayMs = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, this.options.maxRetryMs ?? 200);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh()
        .catch(() => {})
        .finally(() => {
          if (this.held.length > 0 || this.waiters.length > 0) this.schedule();
        });
    }, delayMs);
    this.timer.unref?.();
  }
}
