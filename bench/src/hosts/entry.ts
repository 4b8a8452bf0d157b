/** Entry of a host child process: answers requests with the handlers of its role. */
import type { Handlers } from './rpc.ts';

const role = process.argv[2];
// Only the role's own modules are loaded, so a server's memory holds no client library.
const handlers: Handlers =
  role === 'server'
    ? (await import('./server-host.ts')).createServerHandlers()
    : (await import('./client-host.ts')).clientHandlers;

process.on('message', async (message: { id: number; method: string; args: unknown }) => {
  const handler = handlers[message.method];
  try {
    if (!handler) throw new Error(`no method ${message.method}`);
    const result = await handler(message.args);
    process.send?.({ id: message.id, result });
  } catch (error) {
    process.send?.({
      id: message.id,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
});
process.on('disconnect', () => process.exit(0));
// A clean exit on SIGTERM, so a CPU profile (--cpu-prof) is written.
process.on('SIGTERM', () => process.exit(0));
process.send?.('ready');
