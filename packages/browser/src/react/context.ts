/** The context `FerryProvider` fills, read by every hook that can take the provider's client. */
import type { FerryClient } from '@ferry/client';
import type { JsonObject } from '@ferry/protocol';
import { createContext, useContext } from 'react';

export type AnyClient = FerryClient<Record<string, JsonObject>>;

export const FerryContext = createContext<AnyClient | null>(null);

/** The client from the nearest `FerryProvider`, or null: for hooks that can also take one. */
export function useProvidedClient(): AnyClient | null {
  return useContext(FerryContext);
}
