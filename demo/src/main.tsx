import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import './styles.css';

// In a build the service worker is `/sw.js`; under `vite dev` it is served from its source.
const SW_URL = import.meta.env.DEV ? '/src/sw.ts' : '/sw.js';

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register(SW_URL, { type: 'module', scope: '/' }).catch((error) => {
    console.warn('The service worker did not register; the app works, but not offline.', error);
  });
}

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
