#!/usr/bin/env node
// `ferry agent`: runs the TypeScript sources directly until the package ships compiled output.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/agent.ts');
process.exitCode = await main(process.argv.slice(2));
