/**
 * A worker or service worker cannot see whether the app is on screen, but the pages that
 * talk to it can. This wraps an environment so that, when it cannot observe visibility
 * itself, the app counts as visible while any connected page reports that it is; the
 * scheduler's `visible` trigger then works with the engine in a worker too.
 *
 * Pages also say when their network changes: a worker's `navigator.onLine` follows the
 * network, but Chromium does not always fire `online` and `offline` in workers, so without
 * the pages' word the engine would go on waiting for a network that is back.
 */
import type { Conditions, SyncEnvironment } from '@ferry/client';

export interface ReportedVisibility {
  readonly environment: SyncEnvironment;
  /** A page (by connection id) became visible or hidden. */
  report(from: string, visible: boolean): void;
  /** A page went online or offline: watchers look at the conditions again. */
  networkChanged(): void;
  dispose(): void;
}

export function withReportedVisibility(base: SyncEnvironment): ReportedVisibility {
  if (base.signals.visibility) {
    return { environment: base, report: () => {}, networkChanged: () => {}, dispose: () => {} };
  }
  const visibleBy = new Map<string, boolean>();
  const listeners = new Set<() => void>();
  const visible = (): boolean | undefined =>
    visibleBy.size === 0 ? undefined : [...visibleBy.values()].some(Boolean);

  const environment: SyncEnvironment = {
    now: base.now,
    setTimeout: base.setTimeout,
    clearTimeout: base.clearTimeout,
    random: base.random,
    conditions: (): Conditions => {
      const shown = visible();
      return shown === undefined ? base.conditions() : { ...base.conditions(), visible: shown };
    },
    watch(listener) {
      listeners.add(listener);
      const stopBase = base.watch(listener);
      return () => {
        listeners.delete(listener);
        stopBase();
      };
    },
    signals: { ...base.signals, visibility: true },
  };
  return {
    environment,
    report(from, shown) {
      const before = visible();
      visibleBy.set(from, shown);
      if (visible() !== before) for (const listener of [...listeners]) listener();
    },
    networkChanged() {
      for (const listener of [...listeners]) listener();
    },
    dispose: () => listeners.clear(),
  };
}
