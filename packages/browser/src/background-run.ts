/**
 * One sync run on behalf of the service worker (a Background Sync, a periodic sync or a
 * push). If no tab or worker leads the store, the service worker leads for the length of
 * the run; if one does, it is asked to run; if it does not answer (a frozen tab), the
 * service worker takes the lead by force, runs, and lets go.
 */
import type { FerryClient, SyncOptions, SyncResult } from '@ferry/client';
import { channelName, randomId } from './channel.ts';
import { FerryLeaderUnavailableError } from './errors.ts';
import {
  DEFAULT_LEADER_TIMEOUT_MS,
  type HostOptions,
  startLeaderSession,
} from './leader-session.ts';
import { connectFerry } from './remote-client.ts';

/**
 * Runs `work` with a client of the store while holding its lock: `ifAvailable` when
 * `steal` is false (null if another context leads), by force otherwise. The client has no
 * scheduler triggers and no live stream: it exists for this run only.
 */
async function leadOnce<T>(
  options: HostOptions,
  steal: boolean,
  work: (client: FerryClient) => Promise<T>,
): Promise<{ value: T } | null> {
  const channel = new BroadcastChannel(channelName(options.name));
  try {
    return await navigator.locks.request(
      channelName(options.name),
      steal ? { steal: true } : { ifAvailable: true },
      async (lock) => {
        if (lock === null) return null;
        const session = await startLeaderSession(options, channel, randomId(), {
          live: false,
          schedule: { ...options.schedule, triggers: [] },
        });
        try {
          return { value: await work(session.client) };
        } finally {
          await session.end();
        }
      },
    );
  } finally {
    channel.close();
  }
}

/**
 * Pushes the outbox and pulls to the end, wherever the store's engine runs; rejects if the
 * run fails. The run records `syncOptions.trigger`: `background` (the default) for a
 * Background Sync or a periodic sync, `push` for a Web Push.
 */
export async function syncInBackground(
  options: HostOptions,
  syncOptions: SyncOptions = {},
): Promise<SyncResult> {
  const trigger = syncOptions.trigger ?? 'background';
  const run = (client: FerryClient) => client.sync({ trigger });
  const own = await leadOnce(options, false, run);
  if (own !== null) return own.value;
  const connection = connectFerry({
    name: options.name,
    ackTimeoutMs: options.leaderTimeoutMs ?? DEFAULT_LEADER_TIMEOUT_MS,
    backgroundSyncTag: false,
  });
  try {
    return await connection.sync({ trigger });
  } catch (error) {
    if (!(error instanceof FerryLeaderUnavailableError)) throw error;
    const forced = await leadOnce(options, true, run);
    if (forced === null) throw error;
    return forced.value;
  } finally {
    await connection.close();
  }
}
