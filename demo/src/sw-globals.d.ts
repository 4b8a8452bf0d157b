/**
 * Window-only types that @ferry/browser names in code paths it feature-detects (a page's
 * document, a window's navigator). Its sources are type-checked with the service worker,
 * whose WebWorker lib lacks them; these stand-ins carry only what those paths read.
 */
interface Document extends EventTarget {
  readonly visibilityState: DocumentVisibilityState;
}
interface Navigator extends WorkerNavigator {
  readonly serviceWorker: ServiceWorkerContainer;
}
