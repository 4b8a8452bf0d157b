export { type EnvironmentSetup, runEnvironmentAcceptanceTests } from './environment-acceptance.ts';
export { createSimulation, type Simulation, type SimulationOptions } from './sim/simulation.ts';
export { runStoreAcceptanceTests, type StoreSetup } from './store-acceptance.ts';
