/**
 * Connectivity on a phone, from either of the two libraries apps use, each through the parts
 * of its documented API read here:
 *
 * - `@react-native-community/netinfo` (v12): `fetch()` and `addEventListener(listener)`,
 *   whose state has `isConnected` (null while unknown), `type` and, when connected,
 *   `details.isConnectionExpensive` (the OS's own "metered" flag: mobile data, a metered
 *   Wi-Fi or a hotspot);
 * - `expo-network`: `getNetworkStateAsync()` and `addNetworkStateListener(listener)`, whose
 *   state has `isConnected` and `type` (`CELLULAR` counts as metered; it has no metered flag).
 *
 * Online means connected to a network. `isInternetReachable` is not used: NetInfo decides
 * it by fetching a fixed address (Google's by default), which some networks block, and a
 * server that does not answer is a failed run and a backoff, not "offline".
 */

/** What Ferry reads from a network state. */
export interface NetworkReading {
  online: boolean;
  metered: boolean;
}

/** A source of network readings: one now, and each change. */
export interface NetworkSource {
  read(): Promise<NetworkReading>;
  subscribe(listener: (reading: NetworkReading) => void): () => void;
}

/** The parts of a NetInfo state read here (`NetInfoState` of `@react-native-community/netinfo`). */
export interface NetInfoStateLike {
  readonly type: string;
  readonly isConnected: boolean | null;
  readonly details: { readonly isConnectionExpensive?: boolean } | null;
}

/** The parts of `@react-native-community/netinfo`'s default export used here. */
export interface NetInfoLike {
  fetch(): Promise<NetInfoStateLike>;
  addEventListener(listener: (state: NetInfoStateLike) => void): () => void;
}

/** The parts of an expo-network state read here (`NetworkState` of `expo-network`). */
export interface ExpoNetworkStateLike {
  readonly type?: string;
  readonly isConnected?: boolean;
}

/** The parts of `expo-network` used here (`import * as Network from 'expo-network'`). */
export interface ExpoNetworkLike {
  getNetworkStateAsync(): Promise<ExpoNetworkStateLike>;
  addNetworkStateListener(listener: (state: ExpoNetworkStateLike) => void): { remove(): void };
}

export function readNetInfo(state: NetInfoStateLike): NetworkReading {
  return {
    online: state.isConnected !== false,
    metered: state.details?.isConnectionExpensive ?? state.type === 'cellular',
  };
}

export function readExpoNetwork(state: ExpoNetworkStateLike): NetworkReading {
  return { online: state.isConnected !== false, metered: state.type === 'CELLULAR' };
}

export function netInfoSource(netInfo: NetInfoLike): NetworkSource {
  return {
    read: async () => readNetInfo(await netInfo.fetch()),
    subscribe: (listener) => netInfo.addEventListener((state) => listener(readNetInfo(state))),
  };
}

export function expoNetworkSource(network: ExpoNetworkLike): NetworkSource {
  return {
    read: async () => readExpoNetwork(await network.getNetworkStateAsync()),
    subscribe(listener) {
      const subscription = network.addNetworkStateListener((state) =>
        listener(readExpoNetwork(state)),
      );
      return () => subscription.remove();
    },
  };
}
