/**
 * Simulated devices: each runs a real client (engine and scheduler) in a simulated process
 * over a store that outlives it. A crash kills the process as `kill -9` would (its timers,
 * requests and store calls never come back) and a restart is a new client on the SAME
 * store, so what was persisted survives and in-memory work is lost. The device's clock can
 * jump either way while the timers keep simulated time.
 */
import {
  type Conditions,
  createClient,
  createMemoryStore,
  type FerryClient,
  type RejectionEvent,
  type Store,
  type StoreBatch,
  type SyncEnvironment,
} from '@ferry/client';
import { seededRandom } from './clock.ts';
import type { SimulatedNetwork } from './network.ts';
import { closeSpans, observeFetch, type PulledPage, type Span, watchRuns } from './observe.ts';
import { simulatedStore } from './wrappers.ts';

/** Patches add and remove further fields (one per device: `mark-<device>`). */
export type Item = { by: string; seq: number } & { [field: string]: string | number };
export type ItemsClient = FerryClient<{ items: Item }>;

export interface DeviceFaults {
  /** Probability that a store commit kills the process before it is applied. */
  crashBeforeCommit: number;
  /** Probability that a store commit kills the process right after it is applied. */
  crashAfterCommit: number;
  /** Probability that a response reaching the process kills it before it is handled. */
  crashOnReceipt: number;
  /**
   * False spares commits that remove rejected outbox entries from `crashAfterCommit`, to
   * look for other failures past a known one; default true.
   */
  crashAfterRejection?: boolean;
}

export const NO_DEVICE_FAULTS: DeviceFaults = {
  crashBeforeCommit: 0,
  crashAfterCommit: 0,
  crashOnReceipt: 0,
};

export interface Device {
  readonly name: string;
  readonly user: string;
  /** The durable data, shared by every process of this device. */
  readonly store: Store;
  /** The client of the running process; undefined while the device is down. */
  client: ItemsClient | undefined;
  online: boolean;
  /** Added to simulated time to give this device's wall clock. */
  clockSkewMs: number;
  faults: DeviceFaults;
  /** Every rejection reported, with the number of the process that heard it. */
  readonly rejections: Array<RejectionEvent & { process: number }>;
  crashes: number;
  /** Sync runs and requests of every process, seen from outside the engine (I6). */
  readonly spans: Span[];
  /** Every pull page a process of this device received (I2). */
  readonly pulls: PulledPage[];
  /** Changes the network condition and tells the running process. */
  setOnline(online: boolean): void;
  /** Kills the running process (if any); it stays down until `restart()`. */
  crash(why?: string): void;
  restart(): void;
}

export interface DeviceSetup {
  name: string;
  user: string;
  token: string;
  url: string;
  network: SimulatedNetwork;
  random: () => number;
  seed: number;
  /** Put before the device's client ids, so that a seed run twice on one server uses new ones. */
  clientIdPrefix?: string;
  /** Keep the live event stream open, so server pokes start syncs; default false. */
  live?: boolean;
  /** Told of every crash, whoever caused it. */
  log?: (line: string) => void;
}

/** A short account of a store batch, for the trace. */
function describeBatch(batch: StoreBatch): string {
  const parts: string[] = [];
  if (batch.addOutbox?.length) parts.push(`new mutations ${batch.addOutbox.map((m) => m.id)}`);
  if (batch.removeOutbox?.length) parts.push(`removal of rejected ${batch.removeOutbox}`);
  if (batch.removeOutboxThrough !== undefined)
    parts.push(`confirmation through ${batch.removeOutboxThrough}`);
  if (batch.putRecords?.length) parts.push(`${batch.putRecords.length} pulled records`);
  if (batch.setMeta !== undefined) parts.push(`meta ${Object.keys(batch.setMeta).join(',')}`);
  return parts.join(', ') || 'an empty batch';
}

const never = <T>(): Promise<T> => new Promise<T>(() => {});

export function createDevice(setup: DeviceSetup): Device {
  const { network, random } = setup;
  const clock = network.clock;
  const store = createMemoryStore();
  const clientRandom = seededRandom(setup.seed);
  let generation = 0;
  let alive = false;
  let ticks = 0;
  const tick = () => ++ticks;
  const listeners = new Set<() => void>();

  const conditions = (): Conditions => ({
    online: device.online,
    visible: true,
    metered: false,
    lowBattery: false,
  });

  const environmentFor = (owner: number): SyncEnvironment => ({
    now: () => clock.now() + device.clockSkewMs,
    setTimeout: (callback, delayMs) =>
      owner === generation && alive
        ? clock.setTimeout(owner, () => owner === generation && alive && callback(), delayMs)
        : -1,
    clearTimeout: (handle) => clock.clearTimeout(handle),
    random: clientRandom,
    conditions,
    watch(listener) {
      if (owner !== generation || !alive) return () => {};
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    signals: { network: true, visibility: true, metered: true, battery: true },
  });

  /** The store as one process sees it: frozen by a crash, and able to cause one. */
  const storeFor = (owner: number): Store => {
    const isAlive = () => owner === generation && alive;
    const handle = simulatedStore(store, {
      alive: isAlive,
      online: () => true,
      latencyMs: () => 0,
      sleep: async () => {},
    });
    return {
      ...handle,
      async commit(batch) {
        if (!isAlive()) return never();
        if (random() < device.faults.crashBeforeCommit) {
          device.crash(`before storing ${describeBatch(batch)}`);
          return never();
        }
        await handle.commit(batch);
        const spared =
          device.faults.crashAfterRejection === false && (batch.removeOutbox?.length ?? 0) > 0;
        if (random() < device.faults.crashAfterCommit && !spared) {
          device.crash(`after storing ${describeBatch(batch)}`);
          return never();
        }
      },
    };
  };

  let clientIds = 0;
  const device: Device = {
    name: setup.name,
    user: setup.user,
    store,
    client: undefined,
    online: true,
    clockSkewMs: 0,
    faults: NO_DEVICE_FAULTS,
    rejections: [],
    crashes: 0,
    spans: [],
    pulls: [],
    setOnline(online) {
      if (device.online === online) return;
      device.online = online;
      for (const listener of [...listeners]) listener();
    },
    crash(why) {
      if (!alive) return;
      alive = false;
      device.crashes += 1;
      closeSpans(device.spans, generation, tick());
      setup.log?.(`${setup.name} process dies${why === undefined ? '' : ` ${why}`}`);
      device.client = undefined;
      listeners.clear();
    },
    restart() {
      if (alive) return;
      generation += 1;
      alive = true;
      const owner = generation;
      const watch = {
        process: owner,
        tick,
        spans: device.spans,
        pulls: device.pulls,
        log: (line: string) => setup.log?.(`${setup.name} ${line}`),
        alive: () => owner === generation && alive,
      };
      const client = createClient<{ items: Item }>({
        url: setup.url,
        store: storeFor(owner),
        getToken: () => setup.token,
        fetch: observeFetch(
          network.fetchFor({
            alive: () => owner === generation && alive,
            online: () => device.online,
            crashOnReceipt: () => {
              if (random() >= device.faults.crashOnReceipt) return false;
              device.crash('on receiving a response');
              return true;
            },
          }),
          watch,
        ),
        environment: environmentFor(owner),
        live: setup.live ?? false,
        generateClientId: () =>
          `${setup.clientIdPrefix ?? ''}${setup.name}-${setup.seed}-${++clientIds}`,
        // Small pages and batches, so that a run spans several requests any of which may fail.
        pullLimit: 1 + (setup.seed % 4),
        pushBatchSize: 1 + (setup.seed % 3),
      });
      client.on('rejected', (event) => {
        if (owner !== generation || !alive) return;
        device.rejections.push({ ...event, process: owner });
        setup.log?.(
          `${setup.name} told: mutation ${event.mutation.id} (${event.mutation.key}) rejected, ${event.code}`,
        );
      });
      watchRuns(client, watch);
      device.client = client;
    },
  };
  return device;
}
