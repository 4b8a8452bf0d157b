// The entry file: the wake-ups are registered in module scope (src/native.ts), because the
// OS may start the app's JavaScript with no screen just to run a background task or a push.
import './src/native.ts';
import { registerRootComponent } from 'expo';
import App from './App.tsx';

registerRootComponent(App);
