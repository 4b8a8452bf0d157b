/**
 * `hostFerry`: makes this context (a page or a worker) a candidate to run the store's sync
 * engine. Every candidate queues for the store's Web Lock; the one holding it runs the
 * engine (`leader-session.ts`) and the others wait. A candidate that sees a request go
 * unacknowledged for `leaderTimeoutMs` takes the lead by force, so a frozen leader cannot
 * hold everyone up.
 */
import { type ChannelMessage, channelName, randomId } from './channel.ts';
import {
  DEFAULT_LEADER_TIMEOUT_MS,
  type HostOptions,
  type LeaderSession,
  startLeaderSession,
} from './leader-session.ts';
import { joinLeadership } from './leadership.ts';

export interface FerryHost {
  /** True while this context runs the store's engine. */
  readonly leading: boolean;
  /** Steps down (the next candidate takes over) or leaves the queue. */
  close(): Promise<void>;
}

export function hostFerry(options: HostOptions): FerryHost {
  const hostId = randomId();
  const channel = new BroadcastChannel(channelName(options.name));
  const leaderTimeoutMs = options.leaderTimeoutMs ?? DEFAULT_LEADER_TIMEOUT_MS;
  const logger = options.logger;
  let session: LeaderSession | undefined;

  const leadership = joinLeadership({
    name: options.name,
    async lead() {
      const started = await startLeaderSession(options, channel, hostId);
      session = started;
      logger?.info({ store: options.name, ...started.info }, 'leading the sync of this store');
      return async () => {
        session = undefined;
        await started.end();
        logger?.info({ store: options.name }, 'stopped leading the sync of this store');
      };
    },
    onError: (error) =>
      logger?.warn(
        { store: options.name, error: error instanceof Error ? error.message : String(error) },
        'could not lead the sync of this store; queueing again',
      ),
  });

  // Requests the leader has not acknowledged yet, each with the timer that ends its patience.
  const unacknowledged = new Map<string, ReturnType<typeof setTimeout>>();
  const forget = (id: string) => {
    clearTimeout(unacknowledged.get(id));
    unacknowledged.delete(id);
  };
  const onMessage = (event: MessageEvent<ChannelMessage>) => {
    const message = event.data;
    if (message.type === 'request' && session === undefined && !unacknowledged.has(message.id)) {
      const timer = setTimeout(() => {
        unacknowledged.delete(message.id);
        if (session !== undefined) return;
        logger?.warn({ store: options.name }, 'the sync leader did not answer; taking over');
        leadership.steal();
      }, leaderTimeoutMs);
      unacknowledged.set(message.id, timer);
    } else if (message.type === 'ack' || message.type === 'response') {
      forget(message.id);
    } else if (message.type === 'leader') {
      // A new leader: the connections send their requests again, and the clocks restart.
      for (const id of [...unacknowledged.keys()]) forget(id);
    }
  };
  channel.addEventListener('message', onMessage);

  return {
    get leading() {
      return leadership.leading;
    },
    async close() {
      channel.removeEventListener('message', onMessage);
      for (const id of [...unacknowledged.keys()]) forget(id);
      await leadership.close();
      channel.close();
    },
  };
}
