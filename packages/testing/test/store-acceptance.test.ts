// The suite run against the reference store through the public entry points, the way an
// adapter package would run it.
import { createMemoryStore } from '@ferry/client';
import { runStoreAcceptanceTests } from '@ferry/testing';

runStoreAcceptanceTests('memory store via @ferry/client', async () => ({
  store: createMemoryStore(),
}));
