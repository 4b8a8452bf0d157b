#!/usr/bin/env node
const { main } = await import('../dist/cli/agent.js');
process.exitCode = await main(process.argv.slice(2));
