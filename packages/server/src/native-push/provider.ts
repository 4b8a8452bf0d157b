/** What the sender asks of FCM and APNs alike: wake one device, and say how it went. */
import type { PushDeviceRow } from '../storage/push-devices.ts';

/**
 * The data of every wake-up, the same on both platforms: `ferry: "poke"` and the newest
 * committed version, as strings (FCM's data values must be strings; APNs carries the same
 * keys beside `aps`, so an app reads one shape on either).
 */
export function wakeUpData(version: number): { ferry: 'poke'; version: string } {
  return { ferry: 'poke', version: String(version) };
}

export type DeliveryOutcome =
  | { result: 'sent' }
  /** The token can never work again (unregistered, not a token): the device is deleted. */
  | { result: 'gone'; reason: string }
  /** Anything else: logged and counted; the device is tried again after its window. */
  | { result: 'failed'; reason: string; status?: number };

export interface NativePushProvider {
  send(device: PushDeviceRow, version: number): Promise<DeliveryOutcome>;
}

/** A push service's JSON error body, or undefined when it is not JSON. */
export function jsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
