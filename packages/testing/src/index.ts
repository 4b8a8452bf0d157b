export { runStoreAcceptanceTests, type StoreSetup } from './store-acceptance.ts';
