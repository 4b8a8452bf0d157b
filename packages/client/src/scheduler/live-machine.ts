/**
 * The live event stream's visible state, as an explicit state machine.
 *
 *          start                     open
 *   ┌─────┐ ────▶ ┌────────────┐ ──────────▶ ┌──────┐
 *   │ off │       │ connecting │ ◀── renew ── │ open │
 *   └─────┘       └────────────┘              └──────┘
 *                        │ lose                 │  ▲
 *                        ▼                 lose │  │ open
 *                 ┌──────────────┐ ◀────────────┘  │
 *                 │ reconnecting │ ────────────────┘
 *                 └──────────────┘
 *
 *  stop: from every state except off ──▶ off
 *
 * - off: no stream is wanted (`live: false`, `stopLive()`, `close()`).
 * - connecting: the first connection since `start` is being made, or a routine reconnect
 *   after the server asked for a fresh token (`reauthenticate`): nothing was lost.
 * - open: connected; pokes arrive as the server commits.
 * - reconnecting: the stream failed, ended, or went quiet past its heartbeat window, or the
 *   first connection failed; attempts go on with jittered backoff (the next at
 *   `liveRetryAt`), at once when the network returns or a request reaches the server.
 *   Changes made elsewhere may not be here meanwhile.
 *
 * A failed attempt while reconnecting leaves it reconnecting (`lose` does not apply). The
 * table below is the whole truth; the diagram is a picture of it.
 */

export type LiveState = 'off' | 'connecting' | 'open' | 'reconnecting';

export type LiveEvent =
  /** A stream is wanted: `live: true` at creation, or `startLive()`. */
  | 'start'
  /** The server answered with an event stream. */
  | 'open'
  /** The stream is left on the server's `reauthenticate`: a routine reconnect follows. */
  | 'renew'
  /** The connection failed, ended, or heard nothing for longer than its heartbeat window. */
  | 'lose'
  /** No stream is wanted any more. */
  | 'stop';

/** `null`: the event does not apply in that state, and the state stays as it is. */
export type LiveTransitionTable = Record<LiveState, Record<LiveEvent, LiveState | null>>;

export const LIVE_TRANSITIONS: LiveTransitionTable = {
  off: { start: 'connecting', open: null, renew: null, lose: null, stop: null },
  connecting: { start: null, open: 'open', renew: null, lose: 'reconnecting', stop: 'off' },
  open: { start: null, open: null, renew: 'connecting', lose: 'reconnecting', stop: 'off' },
  reconnecting: { start: null, open: 'open', renew: null, lose: null, stop: 'off' },
};

export interface LiveMachine {
  readonly state: LiveState;
  /** Applies `event`; returns false (and changes nothing) when it does not apply. */
  send(event: LiveEvent): boolean;
}

export function createLiveMachine(initial: LiveState = 'off'): LiveMachine {
  let state = initial;
  return {
    get state() {
      return state;
    },
    send(event) {
      const next = LIVE_TRANSITIONS[state][event];
      if (next === null) return false;
      state = next;
      return true;
    },
  };
}
