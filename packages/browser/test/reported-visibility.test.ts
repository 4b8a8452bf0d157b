/** An engine in a worker learns whether the app is on screen from the pages connected to it. */
import type { SyncEnvironment } from '@ferry/client';
import { describe, expect, it } from 'vitest';
import { withReportedVisibility } from '../src/reported-visibility.ts';

function workerEnvironment(visibility = false): SyncEnvironment {
  return {
    now: () => 0,
    setTimeout: () => 0,
    clearTimeout: () => {},
    random: () => 0,
    conditions: () => ({ online: true }),
    watch: () => () => {},
    signals: { network: true, visibility, metered: false, battery: false },
  };
}

describe('visibility reported by pages', () => {
  it('is unknown until a page reports, then visible while any page is', () => {
    const { environment, report } = withReportedVisibility(workerEnvironment());
    expect(environment.signals.visibility).toBe(true);
    expect(environment.conditions().visible).toBeUndefined();
    report('tab-1', false);
    expect(environment.conditions()).toEqual({ online: true, visible: false });
    report('tab-2', true);
    expect(environment.conditions().visible).toBe(true);
    report('tab-2', false);
    expect(environment.conditions().visible).toBe(false);
  });

  it('tells watchers only when the answer changes', () => {
    const { environment, report, dispose } = withReportedVisibility(workerEnvironment());
    let calls = 0;
    const stop = environment.watch(() => calls++);
    report('tab-1', true);
    report('tab-2', true);
    expect(calls).toBe(1);
    report('tab-1', false);
    expect(calls).toBe(1);
    report('tab-2', false);
    expect(calls).toBe(2);
    stop();
    report('tab-1', true);
    expect(calls).toBe(2);
    dispose();
  });

  it("a page's network change makes watchers look again, at the worker's own network", () => {
    let online = true;
    const base = { ...workerEnvironment(), conditions: () => ({ online }) };
    const { environment, networkChanged } = withReportedVisibility(base);
    const seen: boolean[] = [];
    environment.watch(() => seen.push(environment.conditions().online));
    // The worker's navigator changed with no event of its own; the page's word is the cue.
    online = false;
    networkChanged();
    online = true;
    networkChanged();
    expect(seen).toEqual([false, true]);
  });

  it('leaves an environment that sees visibility itself alone', () => {
    const base = workerEnvironment(true);
    const { environment, report } = withReportedVisibility(base);
    report('tab-1', false);
    expect(environment).toBe(base);
  });
});
