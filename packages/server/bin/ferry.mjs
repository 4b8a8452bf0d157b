#!/usr/bin/env node
// Runs the TypeScript sources directly until the package ships compiled output.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
