/**
 * A clean stop on SIGINT and SIGTERM: the run in flight may finish within a grace period,
 * then the client closes, which aborts whatever still runs. Nothing is lost either way:
 * every pull page and push result is committed before the next request, and a push whose
 * answer was cut off is resent and recognised as a duplicate after the restart.
 */
import type { FerryClient } from '@ferry/client';

export interface CloseOnSignalsOptions {
  /** Default SIGINT and SIGTERM. */
  signals?: readonly NodeJS.Signals[];
  /** How long a run in flight may take to finish before it is aborted; default 5000 ms. */
  graceMs?: number;
  /** Told which signal arrived, before the stop begins. */
  onSignal?: (signal: NodeJS.Signals) => void;
  /** Exit at once (code 130) on a second signal, as Ctrl-C twice does; default true. */
  exitOnSecondSignal?: boolean;
}

export interface SignalHandling {
  /** Settles with the signal once the client is closed. */
  readonly stopped: Promise<NodeJS.Signals>;
  /** Removes the signal handlers. */
  dispose(): void;
}

/** Waits for the run in flight, if any, to end, or for `graceMs`. */
function runFinished(client: FerryClient, graceMs: number): Promise<void> {
  if (client.getStatus().state !== 'syncing') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, graceMs);
    const stop = client.on('run', done);
    function done() {
      clearTimeout(timer);
      stop();
      resolve();
    }
  });
}

export function closeOnSignals(
  client: FerryClient,
  options: CloseOnSignalsOptions = {},
): SignalHandling {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  const graceMs = options.graceMs ?? 5_000;
  let received: NodeJS.Signals | undefined;
  let resolveStopped!: (signal: NodeJS.Signals) => void;
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    resolveStopped = resolve;
  });

  const handler = (signal: NodeJS.Signals) => {
    if (received !== undefined) {
      if (options.exitOnSecondSignal ?? true) process.exit(130);
      return;
    }
    received = signal;
    options.onSignal?.(signal);
    void (async () => {
      await runFinished(client, graceMs);
      await client.close();
      resolveStopped(signal);
    })();
  };
  for (const signal of signals) process.on(signal, handler);
  return {
    stopped,
    dispose() {
      for (const signal of signals) process.off(signal, handler);
    },
  };
}
