/**
 * The visibility gate (events/visibility.ts): a commit above the watermark is announced only
 * once a watermark covers it, however that watermark is learnt, and never with a version a
 * pull could not reach.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Release, VisibilityGate } from '../src/events/visibility.ts';

function gate(readWatermark: () => Promise<number>) {
  const released: Release[] = [];
  const visibility = new VisibilityGate({
    readWatermark,
    release: (r) => released.push(r),
    firstRetryMs: 2,
    maxRetryMs: 8,
  });
  return { visibility, released };
}

describe('the visibility gate', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('announces a covered commit at once, with its changes', () => {
    const { visibility, released } = gate(async () => 0);
    const patch = { serverId: 's', changes: [], bases: new Map() };
    visibility.committed({ spaces: new Set(['a']), version: 5, watermark: 5, own: true, patch });
    expect(released).toEqual([{ spaces: new Set(['a']), version: 5, own: true, patch }]);
    expect(visibility.version).toBe(5);
  });

  it('holds a commit above the watermark until one read later covers it, then announces it without changes', async () => {
    vi.useFakeTimers();
    let watermark = 3;
    const { visibility, released } = gate(async () => watermark);
    const patch = { serverId: 's', changes: [], bases: new Map() };
    visibility.committed({ spaces: new Set(['a']), version: 5, watermark: 3, own: true, patch });
    expect(released).toEqual([]);
    await vi.advanceTimersByTimeAsync(20);
    expect(released).toEqual([]);
    expect(visibility.heldCount).toBe(1);
    watermark = 6;
    await vi.advanceTimersByTimeAsync(20);
    expect(released).toEqual([{ spaces: new Set(['a']), version: 5, own: true }]);
    expect(visibility.heldCount).toBe(0);
    expect(visibility.version).toBe(6);
  });

  it('lets out held commits when a later commit or notification brings a higher watermark', () => {
    const { visibility, released } = gate(async () => 0);
    visibility.committed({ spaces: new Set(['a']), version: 7, watermark: 4, own: false });
    visibility.committed({ spaces: undefined, version: 9, watermark: 6, own: false });
    expect(released).toEqual([]);
    visibility.committed({ spaces: new Set(['b']), version: 10, watermark: 10, own: true });
    expect(released.map((r) => r.version).sort((a, b) => a - b)).toEqual([7, 9, 10]);
    visibility.close();
  });

  it("reads the watermark at once when this process's commit comes out while others are held", async () => {
    // Two batches of this process ran side by side and the later one (versions 6–9)
    // committed first: it is held until the earlier one (1–5) has committed too.
    let watermark = 5;
    let reads = 0;
    const released: Release[] = [];
    const visibility = new VisibilityGate({
      readWatermark: async () => {
        reads++;
        return watermark;
      },
      release: (r) => released.push(r),
      // Longer than the test: only a read made at once lets the held commit out.
      firstRetryMs: 60_000,
    });
    visibility.committed({ spaces: new Set(['b']), version: 9, watermark: 5, own: true });
    expect(released).toEqual([]);
    watermark = 9;
    visibility.committed({ spaces: new Set(['a']), version: 5, watermark: 5, own: true });
    await vi.waitFor(() => expect(released.map((r) => r.version)).toEqual([5, 9]));
    expect(reads).toBe(1);
    expect(visibility.heldCount).toBe(0);
    visibility.close();
  });

  it('never lowers the watermark it has learnt', () => {
    const { visibility } = gate(async () => 0);
    visibility.learn(8);
    visibility.learn(3);
    expect(visibility.version).toBe(8);
  });

  it('resolves a wait for a version once it is covered, or after the timeout', async () => {
    vi.useFakeTimers();
    let watermark = 1;
    const { visibility } = gate(async () => watermark);
    let covered = false;
    const waiting = visibility.covering(4, 1000).then(() => {
      covered = true;
    });
    await vi.advanceTimersByTimeAsync(10);
    expect(covered).toBe(false);
    watermark = 4;
    await vi.advanceTimersByTimeAsync(20);
    await waiting;
    expect(covered).toBe(true);

    let gaveUp = false;
    const late = visibility.covering(100, 50).then(() => {
      gaveUp = true;
    });
    await vi.advanceTimersByTimeAsync(60);
    await late;
    expect(gaveUp).toBe(true);
    expect(visibility.version).toBe(4);
    visibility.close();
  });
});
