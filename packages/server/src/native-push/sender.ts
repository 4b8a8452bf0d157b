/**
 * Waking closed phone apps: after a commit, each device of a user who can read one of the
 * changed spaces gets a data message `{ferry: "poke", version: "<n>"}` through FCM or APNs,
 * at most once per device per window (claimed in the database, so replicas share the
 * window). Commits that follow within `gatherMs` (200 ms) share one claim and one message.
 *
 * Each device is sent on its own: `concurrency` workers take the claimed devices one at a
 * time, so a device whose push service is slow or hangs (until the timeout) holds one
 * worker and no other device. One that fails is logged, counted and skipped; one whose
 * token can never work again is deleted.
 */

import { Counter, type Registry } from 'prom-client';
import { createCommitGatherer, sendEach } from '../commit-gatherer.ts';
import type { Database } from '../db/driver.ts';
import type { Logger } from '../logger.ts';
import {
  claimDevicesToNotify,
  deleteDevice,
  type NativePushPlatform,
  type PushDeviceRow,
} from '../storage/push-devices.ts';
import type { H2Client } from './h2.ts';
import type { NativePushSettings } from './options.ts';
import type { NativePushProvider } from './provider.ts';

export interface NativePushSender {
  /** Called after a commit; sends in the background, with the commits of the next `gatherMs`. */
  notify(spaces: ReadonlySet<string>, version: number): void;
  /** Sends what is gathered now and waits for sends in flight. */
  idle(): Promise<void>;
  /** `idle()`, then closes the connections to FCM and APNs. */
  close(): Promise<void>;
}

/** Enough of a token to tell devices apart in a log, not enough to use it. */
function tokenHint(token: string): string {
  return `${token.slice(0, 8)}…`;
}

export function createNativePushSender(options: {
  database: Database;
  providers: Partial<Record<NativePushPlatform, NativePushProvider>>;
  platforms: readonly NativePushPlatform[];
  settings: NativePushSettings;
  http: H2Client;
  logger: Logger;
  registry: Registry;
}): NativePushSender {
  const { database, providers, platforms, settings, http, logger } = options;
  const messages = new Counter({
    name: 'ferry_native_push_messages_total',
    help: 'Native push wake-ups by platform (fcm, apns) and result (sent, gone, failed)',
    labelNames: ['platform', 'result'],
    registers: [options.registry],
  });

  /** Sends one message; settles without throwing, whatever happens to it. */
  async function deliver(device: PushDeviceRow, version: number): Promise<void> {
    const fields = {
      platform: device.platform,
      userId: device.userId,
      token: tokenHint(device.token),
    };
    try {
      const provider = providers[device.platform];
      if (!provider) return;
      const outcome = await provider.send(device, version);
      if (outcome.result === 'gone') {
        await deleteDevice(database, device);
        logger.info({ ...fields, reason: outcome.reason }, 'deleted a push device');
      } else if (outcome.result === 'failed') {
        logger.warn(
          { ...fields, status: outcome.status, reason: outcome.reason },
          'a push service refused a wake-up',
        );
      }
      messages.inc({ platform: device.platform, result: outcome.result });
    } catch (error) {
      messages.inc({ platform: device.platform, result: 'failed' });
      logger.warn({ ...fields, err: error }, 'sending a wake-up failed');
    }
  }

  async function run(spaces: ReadonlySet<string>, version: number): Promise<void> {
    const due = await claimDevicesToNotify(
      database,
      [...spaces],
      settings.minIntervalMs,
      platforms,
    );
    await sendEach(due, settings.concurrency, (device) => deliver(device, version));
  }

  const gatherer = createCommitGatherer({
    gatherMs: settings.gatherMs,
    send: run,
    logger,
    failureMessage: 'native push after commit failed',
  });

  return {
    notify: gatherer.notify,
    idle: gatherer.idle,
    async close() {
      await gatherer.idle();
      http.close();
    },
  };
}
