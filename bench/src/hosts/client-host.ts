/**
 * The client side of a measurement, in a process of its own: replicas, load, streams and
 * local latency, for whichever system the orchestrator names.
 */
import { ferryClient } from '../clients/ferry.ts';
import { floorClient } from '../clients/floor.ts';
import { type OpenStream, openStream } from '../clients/http.ts';
import { type LoadOptions, runPushLoad } from '../clients/load.ts';
import { pouchClient } from '../clients/pouchdb.ts';
import { rxdbClient } from '../clients/rxdb.ts';
import type {
  ClientSystem,
  Replica,
  ReplicaStart,
  Target,
  Writer,
  WriterOptions,
} from '../clients/types.ts';
import { makeRecord } from '../data.ts';
import { epochNow, sampleRss, settledMemory, sleep } from '../stats.ts';
import type { SystemName } from '../types.ts';
import type { Handlers, NoArgs } from './rpc.ts';

const SYSTEMS: Record<SystemName, ClientSystem> = {
  ferry: ferryClient,
  floor: floorClient,
  rxdb: rxdbClient,
  pouchdb: pouchClient,
};

const replicas = new Map<number, Replica>();
let nextReplica = 1;
let streams: OpenStream[] = [];
/** Fan-out: when each timed stream first received an event after `streamsArm`, by index. */
let armed = false;
let firstAfterArm: (number | undefined)[] = [];
/** W4: the two sides, each in the process of its own device. */
let watcher: { close(): Promise<void> } | undefined;
let writer: Writer | undefined;
/** When the watcher first showed each key (epoch ms), and who waits for keys not yet shown. */
const seenAt = new Map<string, number>();
const seenWaiters = new Map<string, () => void>();
/** RECOVER: many watchers, and when each first showed each key (epoch ms). */
let crowd: { close(): Promise<void> }[] = [];
let crowdSeen: Map<string, number>[] = [];

function replica(id: number): Replica {
  const found = replicas.get(id);
  if (!found) throw new Error(`no replica ${id}`);
  return found;
}

/** Runs `work` over `items` with at most `limit` at once. */
async function pooled<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export const clientHandlers = {
  async replicaOpen(args: { system: SystemName; target: Target; start: ReplicaStart }) {
    const id = nextReplica++;
    replicas.set(id, await SYSTEMS[args.system].openReplica(args.target, args.start));
    return id;
  },
  /** One sync, timed, with the peak RSS of this process during it. */
  async replicaSync(args: { id: number }) {
    const peak = sampleRss();
    const started = performance.now();
    await replica(args.id).sync();
    const ms = performance.now() - started;
    return { ms, peakRss: peak.stop() };
  },
  /** `count` syncs one after another (W2: no-op pulls); their durations. */
  async replicaSyncs(args: { id: number; count: number }) {
    const r = replica(args.id);
    const latencies: number[] = [];
    for (let i = 0; i < args.count; i++) {
      const started = performance.now();
      await r.sync();
      latencies.push(performance.now() - started);
    }
    return latencies;
  },
  replicaCount: (args: { id: number }) => replica(args.id).count(),
  async replicaClose(args: { id: number }) {
    await replica(args.id).close();
    replicas.delete(args.id);
  },
  async pushLoad(args: { system: SystemName; targets: Target[]; options: LoadOptions }) {
    const system = SYSTEMS[args.system];
    const seen = new Set<string>();
    for (const target of args.targets) {
      if (seen.has(target.space)) continue;
      seen.add(target.space);
      await system.prepare?.(target);
    }
    return runPushLoad(system, args.targets, args.options);
  },
  /** Opens idle event streams (W4's bystanders, W5); returns how many the server answered. */
  async streamsOpen(args: { system: SystemName; target: Target; count: number; timed?: boolean }) {
    const system = SYSTEMS[args.system];
    await system.prepare?.(args.target);
    const request = system.eventStream(args.target);
    const indices = Array.from({ length: args.count }, (_, i) => i);
    const failures: string[] = [];
    armed = false;
    firstAfterArm = new Array(args.count).fill(undefined);
    await pooled(indices, 100, async (index) => {
      const onData = args.timed
        ? () => {
            if (armed && firstAfterArm[index] === undefined) firstAfterArm[index] = epochNow();
          }
        : undefined;
      try {
        const url = args.target.url + request.path;
        streams.push(await openStream(url, request.headers, onData, request.answersAtOnce));
      } catch (error) {
        if (failures.length < 5) failures.push(String(error));
      }
    });
    const deadline = Date.now() + request.firstBytesWithinMs;
    while (Date.now() < deadline && streams.some((s) => !s.answered())) await sleep(100);
    return { opened: streams.filter((s) => s.answered()).length, failures };
  },
  /** Starts timing every stream's next event (again, for each write that is timed). */
  async streamsArm(_args: NoArgs) {
    firstAfterArm.fill(undefined);
    armed = true;
  },
  /** Waits up to `timeoutMs` for every timed stream to have an event; their receive times. */
  async streamsReceived(args: { timeoutMs: number }) {
    const deadline = Date.now() + args.timeoutMs;
    while (Date.now() < deadline && firstAfterArm.some((t) => t === undefined)) await sleep(20);
    return firstAfterArm.filter((t): t is number => t !== undefined);
  },
  async streamsClose(_args: NoArgs) {
    for (const stream of streams) stream.close();
    streams = [];
  },
  /** W4, in the watcher's process: opens B, which notes when each record first shows. */
  async watcherOpen(args: { system: SystemName; target: Target }) {
    seenAt.clear();
    watcher = await SYSTEMS[args.system].openWatcher(args.target, (key) => {
      if (seenAt.has(key)) return;
      seenAt.set(key, epochNow());
      seenWaiters.get(key)?.();
    });
  },
  /** When B showed `key` (epoch ms, taken as it did), or null if not within `timeoutMs`. */
  async watcherSeen(args: { key: string; timeoutMs: number }): Promise<number | null> {
    if (!seenAt.has(args.key)) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, args.timeoutMs);
        seenWaiters.set(args.key, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      seenWaiters.delete(args.key);
    }
    return seenAt.get(args.key) ?? null;
  },
  /** Closes B; how many distinct records it showed. */
  async watcherClose(_args: NoArgs) {
    await watcher?.close();
    watcher = undefined;
    return { seen: seenAt.size };
  },
  /** RECOVER: opens a watcher for each target, `opening` at a time; how many opened. */
  async watchersOpen(args: { system: SystemName; targets: Target[]; opening: number }) {
    const failures: string[] = [];
    await pooled(args.targets, args.opening, async (target) => {
      const seen = new Map<string, number>();
      try {
        const opened = await SYSTEMS[args.system].openWatcher(target, (key) => {
          if (!seen.has(key)) seen.set(key, epochNow());
        });
        crowd.push(opened);
        crowdSeen.push(seen);
      } catch (error) {
        if (failures.length < 5) failures.push(String(error));
      }
    });
    return { opened: crowd.length, failures };
  },
  /** When each watcher showed `key` (epoch ms), null for those that had not within `timeoutMs`. */
  async watchersSeen(args: { key: string; timeoutMs: number }) {
    const deadline = Date.now() + args.timeoutMs;
    while (Date.now() < deadline && crowdSeen.some((seen) => !seen.has(args.key))) await sleep(20);
    return crowdSeen.map((seen) => seen.get(args.key) ?? null);
  },
  async watchersClose(_args: NoArgs) {
    await pooled(crowd, 50, (watcher) => watcher.close());
    crowd = [];
    crowdSeen = [];
  },
  /** W4, in the writer's process (another device): opens A (W4D: Ferry's, sending as told). */
  async writerOpen(args: { system: SystemName; target: Target; options?: WriterOptions }) {
    writer = await SYSTEMS[args.system].openWriter(args.target, args.options);
  },
  /** W4D: the requests A has sent so far, or null when its system does not count them. */
  async writerRequests(_args: NoArgs) {
    return writer?.requests?.() ?? null;
  },
  /** Writes record `index` on A; its key and when the write call started (epoch ms). */
  async writerWrite(args: { index: number; valueBytes: number }) {
    if (!writer) throw new Error('no writer open');
    const record = makeRecord('w4-', args.index, args.valueBytes);
    const startedAt = epochNow();
    await writer.write(record);
    return { key: record.key, startedAt };
  },
  async writerClose(_args: NoArgs) {
    await writer?.close();
    writer = undefined;
  },
  async localLatency(args: {
    system: SystemName;
    records: number;
    samples: number;
    valueBytes: number;
  }) {
    const records = Array.from({ length: args.records }, (_, i) =>
      makeRecord('base-', i, args.valueBytes),
    );
    const samples = Array.from({ length: args.samples }, (_, i) =>
      makeRecord('new-', i, args.valueBytes),
    );
    return SYSTEMS[args.system].localLatency(records, samples);
  },
  memory: (_args: NoArgs) => settledMemory(),
} satisfies Handlers;
