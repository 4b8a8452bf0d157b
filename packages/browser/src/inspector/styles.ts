/**
 * The inspector's own stylesheet, scoped under its root class so it neither takes nor
 * leaks the app's styles. Plain system fonts and borders: it is a developer's view.
 */
export const ROOT_CLASS = 'ferry-inspector';

export const INSPECTOR_CSS = `
.${ROOT_CLASS} { font: 13px/1.4 system-ui, sans-serif; color: #1d2430; background: #fff;
  border: 1px solid #c9d0da; border-radius: 6px; padding: 12px 16px; max-width: 960px; }
.${ROOT_CLASS} header { display: flex; align-items: center; justify-content: space-between; gap: 12px; }
.${ROOT_CLASS} h2 { font-size: 16px; margin: 0; }
.${ROOT_CLASS} h3 { font-size: 13px; margin: 16px 0 6px; text-transform: uppercase; letter-spacing: .04em; color: #4a5568; }
.${ROOT_CLASS} button { font: inherit; padding: 2px 10px; border: 1px solid #9aa5b4; border-radius: 4px; background: #f4f6f9; cursor: pointer; }
.${ROOT_CLASS} dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
.${ROOT_CLASS} dt { color: #4a5568; }
.${ROOT_CLASS} dd { margin: 0; }
.${ROOT_CLASS} table { border-collapse: collapse; width: 100%; }
.${ROOT_CLASS} caption { text-align: left; color: #4a5568; padding-bottom: 4px; }
.${ROOT_CLASS} th, .${ROOT_CLASS} td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #e3e7ed; vertical-align: top; }
.${ROOT_CLASS} th { background: #f4f6f9; font-weight: 600; }
.${ROOT_CLASS} td.num, .${ROOT_CLASS} th.num { text-align: right; font-variant-numeric: tabular-nums; }
.${ROOT_CLASS} code { font: 12px ui-monospace, monospace; }
.${ROOT_CLASS} .phase { font-weight: 600; padding: 1px 8px; border-radius: 10px; background: #e3e7ed; }
.${ROOT_CLASS} .phase-up-to-date { background: #d5f0dc; }
.${ROOT_CLASS} .phase-error, .${ROOT_CLASS} .phase-retrying, .${ROOT_CLASS} .phase-offline { background: #fbdcdc; }
.${ROOT_CLASS} .failed { color: #a61b1b; }
.${ROOT_CLASS} .empty { color: #6b7585; margin: 4px 0; }
.${ROOT_CLASS} .problem { color: #a61b1b; }
`;
