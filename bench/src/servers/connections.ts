/**
 * The connections this process's servers accepted, by local port, so that a server whose
 * `close()` drains (Ferry's `listen` waits for the last connection to go) can be stopped
 * as a killed process would be: every socket dropped at once. Clients that reconnect on a
 * kept-alive socket would otherwise hold a draining server open for as long as they retry.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

const open = new Set<Socket>();
let watching = false;

function watch(): void {
  if (watching) return;
  watching = true;
  subscribe('net.server.socket', (message) => {
    const { socket } = message as { socket: Socket };
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
}

/** Starts noting accepted sockets; `dropAll(port)` destroys those on `port`. */
export function acceptedConnections(): { dropAll(port: number): void } {
  watch();
  return {
    dropAll(port) {
      for (const socket of open) if (socket.localPort === port) socket.destroy();
    },
  };
}
