export {
  type ClientSetup,
  type ClientSetupOptions,
  runClientAcceptanceTests,
} from './client-acceptance.ts';
export { type EnvironmentSetup, runEnvironmentAcceptanceTests } from './environment-acceptance.ts';
export {
  createDevice,
  type Device,
  type DeviceFaults,
  NO_DEVICE_FAULTS,
} from './sim/devices.ts';
export { checkInvariants, type WriteRecord } from './sim/invariants.ts';
export {
  createSimulatedNetwork,
  type NetworkFaults,
  PERFECT_NETWORK,
  type ServerHandler,
  type SimulatedNetwork,
} from './sim/network.ts';
export {
  runScenario,
  type ScenarioOptions,
  type ScenarioReport,
  type ScenarioServer,
} from './sim/scenario.ts';
export { createSimulation, type Simulation, type SimulationOptions } from './sim/simulation.ts';
export { runStoreAcceptanceTests, type StoreSetup } from './store-acceptance.ts';
