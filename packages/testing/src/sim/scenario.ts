/**
 * One seeded scenario: two users on three devices write (creates, puts, patches, deletes),
 * go offline, crash, restart and see their clocks jump while the network loses, duplicates
 * and delays requests and the server restarts. Then the
 * faults are healed, every device syncs to quiescence, and the invariants are checked.
 *
 *   const report = await runScenario({ seed: 42, server: { fetch, signToken } });
 *   if (report.violations.length > 0) console.log(report.seed, report.violations);
 */
import { seededRandom } from './clock.ts';
import { createDevice, type Device, NO_DEVICE_FAULTS } from './devices.ts';
import { checkInvariants, type WriteRecord } from './invariants.ts';
import { type LedgerEntry, recordingLedger } from './ledger.ts';
import { createSimulatedNetwork, PERFECT_NETWORK, type ServerHandler } from './network.ts';

export interface ScenarioServer {
  fetch: ServerHandler;
  /**
   * Closes the server and creates it again on the same database (so `fetch` reaches the new
   * one); without it, the scenario never restarts the server.
   */
  restart?(): Promise<void>;
  signToken(
    principal: { userId: string; spaces?: readonly string[] },
    ttlSeconds: number,
  ): Promise<string>;
}

export interface ScenarioOptions {
  seed: number;
  server: ScenarioServer;
  /** Actions before the faults are healed; default 40. */
  steps?: number;
  /**
   * False keeps processes from dying right after storing the rollback of a rejected write
   * (before the rejection is reported), to look for other failures; default true.
   */
  crashAfterRejection?: boolean;
  /** Prefix of the scenario's user and space names, to run a seed twice on one server. */
  namespace?: string;
  /** False keeps every device off the live event stream; by default about half are on it. */
  live?: boolean;
}

export interface ScenarioReport {
  seed: number;
  violations: string[];
  writes: number;
  rejections: number;
  patches: number;
  crashes: number;
  clockJumps: number;
  serverRestarts: number;
  /** Devices on the live event stream, and the streams they opened. */
  live: { devices: number; streams: number };
  network: {
    requests: number;
    droppedRequests: number;
    droppedResponses: number;
    duplicates: number;
  };
  /** Sync runs and pull pages the I6 and I2 checks looked at. */
  checked: { runs: number; pulls: number };
  simulatedMs: number;
  /** What happened, in order; printed with a failure. */
  trace: string[];
}

/** The device's running client; a call, so that no earlier check narrows it. */
const current = (d: Device) => d.client;
const URL_BASE = 'http://ferry.sim';
const START = Date.UTC(2024, 0, 1);

export async function runScenario(options: ScenarioOptions): Promise<ScenarioReport> {
  const { seed, server } = options;
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const chance = (p: number) => random() < p;
  const ledger: LedgerEntry[] = [];
  const network = createSimulatedNetwork({
    handler: recordingLedger(server.fetch, ledger),
    random,
    startAt: START,
    restartServer: server.restart?.bind(server),
  });
  network.faults = {
    dropRequest: 0.05 + random() * 0.2,
    dropResponse: 0.05 + random() * 0.2,
    duplicate: 0.05 + random() * 0.2,
    maxDelayMs: 1 + Math.floor(random() * 3000),
    serverRestart: random() * 0.04,
  };
  const trace: string[] = [];
  const log = (line: string) => trace.push(`${network.clock.now() - START}ms ${line}`);

  const tag = `${options.namespace ?? ''}s${seed}`;
  const spaces = { alice: `${tag}-alice`, bob: `${tag}-bob`, team: `${tag}-team` };
  const users = { alice: `${tag}-alice`, bob: `${tag}-bob` };
  const readable: Record<string, string[]> = {
    [users.alice]: [spaces.alice, spaces.team],
    [users.bob]: [spaces.bob, spaces.team],
  };
  const tokens = {
    alice: await server.signToken({ userId: users.alice, spaces: readable[users.alice] }, 86_400),
    bob: await server.signToken({ userId: users.bob, spaces: readable[users.bob] }, 86_400),
  };
  let liveDevices = 0;
  const device = (name: string, user: string, token: string, n: number) => {
    const live = options.live !== false && random() < 0.5;
    if (live) {
      liveDevices += 1;
      log(`${name} keeps the live event stream open`);
    }
    return createDevice({
      name,
      user,
      token,
      url: URL_BASE,
      network,
      random,
      seed: seed * 8 + n,
      clientIdPrefix: options.namespace,
      live,
      log,
    });
  };
  const devices: Device[] = [
    device('phone', users.alice, tokens.alice, 1),
    device('laptop', users.alice, tokens.alice, 2),
    device('desk', users.bob, tokens.bob, 3),
  ];
  for (const d of devices) {
    d.faults = {
      crashBeforeCommit: random() * 0.03,
      crashAfterCommit: random() * 0.03,
      crashOnReceipt: random() * 0.05,
      crashAfterRejection: options.crashAfterRejection ?? true,
    };
    d.restart();
  }

  const writes: WriteRecord[] = [];
  let sequence = 0;
  let clockJumps = 0;

  const write = (d: Device) => {
    const client = d.client;
    if (client === undefined) return;
    const own = readable[d.user] ?? [];
    const roll = random();
    // Unique keys created only-if-absent: a second application would be a conflict.
    let kind: WriteRecord['kind'] = 'unique';
    let space = pick(own);
    let key = `${d.name}-${sequence + 1}`;
    if (roll < 0.15) {
      kind = 'contested';
      space = spaces.team;
      key = `contested-${Math.floor(random() * 4)}`;
      if (writes.some((w) => w.device === d.name && w.kind === 'contested' && w.key === key))
        return;
    } else if (roll < 0.25) {
      kind = 'forbidden';
      space = d.user === users.alice ? spaces.bob : spaces.alice;
    } else if (roll < 0.45) {
      // Last writer wins on a few team keys, patches and deletes included: the server must
      // hold what replaying its applied mutations in version order gives, and every device too.
      kind = 'shared';
      space = spaces.team;
      key = `shared-${Math.floor(random() * 3)}`;
    }
    const opRoll = kind === 'shared' ? random() : 1;
    const op = opRoll < 0.2 ? 'delete' : opRoll < 0.6 ? 'patch' : 'put';
    sequence += 1;
    const value = { by: d.name, seq: sequence };
    // A patch sets who and when, and sets or (with null) removes the device's own mark.
    const patch = { ...value, [`mark-${d.name}`]: chance(0.3) ? null : sequence };
    const record: WriteRecord = {
      device: d.name,
      kind,
      op,
      space,
      key,
      value: op === 'patch' ? patch : value,
      state: 'pending',
    };
    writes.push(record);
    log(`${d.name} writes ${kind} ${op} ${space}/${key}`);
    const items = client.collection('items', { space });
    const stored =
      op === 'delete'
        ? items.delete(key)
        : op === 'patch'
          ? items.patch(key, patch)
          : items.put(key, value, kind === 'shared' ? {} : { ifVersion: 0 });
    stored.then(
      async () => {
        record.state = 'stored';
        // Local first: visible at once, before any request could have carried it.
        const seen = await items.get(key).catch(() => undefined);
        record.visibleAtOnce = op === 'delete' ? seen === undefined : seen?.seq === value.seq;
      },
      (error: unknown) => {
        record.state = 'refused';
        record.error = String(error);
      },
    );
  };

  const violations: string[] = [];
  /** Local first: after a restart, every write the device stored is still there (or was reported rejected). */
  const restart = async (d: Device) => {
    if (d.client !== undefined) return;
    log(`${d.name} restarts`);
    d.restart();
    const client = current(d);
    for (const w of writes) {
      if (w.device !== d.name || w.kind !== 'unique' || w.state !== 'stored') continue;
      // A store call of a process that dies meanwhile never settles.
      const read = client?.collection('items', { space: w.space }).get(w.key);
      const seen = await Promise.race([read, network.settle().then(() => 'unsettled' as const)]);
      if (current(d) !== client || seen === 'unsettled') return;
      const rejected = d.rejections.some((r) => r.mutation.key === w.key);
      if (!rejected && seen?.seq !== w.value.seq) {
        violations.push(`${d.name} ${w.space}/${w.key}: stored before a crash, gone after restart`);
      }
    }
  };

  const steps = options.steps ?? 40;
  for (let step = 0; step < steps; step++) {
    const d = pick(devices);
    const roll = random();
    if (roll < 0.5) write(d);
    else if (roll < 0.6) {
      d.setOnline(!d.online);
      log(`${d.name} ${d.online ? 'online' : 'offline'}`);
    } else if (roll < 0.7) {
      if (d.client !== undefined) {
        log(`${d.name} crashes`);
        d.crash();
      } else await restart(d);
    } else if (roll < 0.77) {
      const jump = Math.round((random() - 0.5) * 2 * 3_600_000 * (chance(0.2) ? 24 : 1));
      d.clockSkewMs += jump;
      clockJumps += 1;
      log(`${d.name} clock jumps ${jump}ms`);
    } else if (roll < 0.87) {
      log(`${d.name} sync()`);
      d.client?.sync().catch(() => {});
    } else if (roll < 0.9 && server.restart !== undefined) {
      log('server restarts');
      await network.restartServer();
    }
    // A process the store or the network killed comes back after a while.
    for (const other of devices)
      if (other.client === undefined && chance(0.3)) await restart(other);
    await network.advance(Math.floor(random() * (chance(0.2) ? 120_000 : 3_000)));
  }

  // Heal: a perfect network, everyone up and online, no more crashes; then sync to quiescence.
  log('heal');
  network.faults = PERFECT_NETWORK;
  for (const d of devices) {
    d.faults = NO_DEVICE_FAULTS;
    await restart(d);
    d.setOnline(true);
  }
  await network.advance(120_000);
  for (let round = 0; round < 3; round++) {
    for (const d of devices) {
      let done = false;
      let failed: unknown;
      d.client?.sync().then(
        () => {
          done = true;
        },
        (error: unknown) => {
          done = true;
          failed = error;
        },
      );
      await network.advanceUntil(() => done, 30 * 60_000);
      if (!done) violations.push(`${d.name}: sync() did not finish after healing (round ${round})`);
      else if (failed !== undefined && round === 2) {
        violations.push(`${d.name}: sync() failed after healing: ${String(failed)}`);
      }
    }
  }

  // The processes are left as they are; their event streams end here.
  network.closeStreams();
  violations.push(
    ...(await checkInvariants({
      devices,
      writes,
      readable,
      spaces: Object.values(spaces),
      tokens: { [users.alice]: tokens.alice, [users.bob]: tokens.bob },
      ledger,
      pull: (request) => network.direct(new Request(`${URL_BASE}/v1/pull`, request)),
    })),
  );

  return {
    seed,
    violations,
    writes: writes.length,
    rejections: devices.reduce((n, d) => n + d.rejections.length, 0),
    patches: writes.filter((w) => w.op === 'patch').length,
    crashes: devices.reduce((n, d) => n + d.crashes, 0),
    clockJumps,
    serverRestarts: network.stats.serverRestarts,
    live: { devices: liveDevices, streams: network.stats.streams },
    network: {
      requests: network.stats.requests,
      droppedRequests: network.stats.droppedRequests,
      droppedResponses: network.stats.droppedResponses,
      duplicates: network.stats.duplicates,
    },
    checked: {
      runs: devices.reduce((n, d) => n + d.spans.filter((s) => s.kind === 'run').length, 0),
      pulls: devices.reduce((n, d) => n + d.pulls.length, 0),
    },
    simulatedMs: network.clock.now() - START,
    trace,
  };
}
