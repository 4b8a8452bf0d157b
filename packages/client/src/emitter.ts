/** A small typed event emitter whose listeners cannot break the code that emits. */

export type Unsubscribe = () => void;

export interface Emitter<Events extends object> {
  on<Name extends keyof Events>(name: Name, listener: (event: Events[Name]) => void): Unsubscribe;
  emit<Name extends keyof Events>(name: Name, event: Events[Name]): void;
  listenerCount(name: keyof Events): number;
}

/** `onListenerError` receives whatever a listener throws; the other listeners still run. */
export function createEmitter<Events extends object>(
  onListenerError: (error: unknown, name: keyof Events) => void,
): Emitter<Events> {
  const listeners = new Map<keyof Events, Set<(event: never) => void>>();
  return {
    on(name, listener) {
      let set = listeners.get(name);
      if (set === undefined) {
        set = new Set();
        listeners.set(name, set);
      }
      // Wrapped so that subscribing the same function twice gives two subscriptions.
      const entry = (event: never) => listener(event);
      set.add(entry);
      return () => {
        set.delete(entry);
      };
    },
    emit(name, event) {
      const set = listeners.get(name);
      if (set === undefined) return;
      for (const listener of [...set]) {
        try {
          (listener as (event: Events[typeof name]) => void)(event);
        } catch (error) {
          onListenerError(error, name);
        }
      }
    },
    listenerCount: (name) => listeners.get(name)?.size ?? 0,
  };
}
