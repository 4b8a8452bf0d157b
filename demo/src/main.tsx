import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import './styles.css';

// The build emits the service worker as `/sw.js` (an ES module: it shares chunks with the
// app). Under `vite dev` there is none, so the app runs without offline support there.
if (!import.meta.env.DEV && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js', { type: 'module', scope: '/' }).catch((error) => {
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
