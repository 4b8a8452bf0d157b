// Ferry's packages are linked from this repository (file: dependencies), so Metro watches
// the repository and resolves their dependencies from its node_modules too. They resolve to
// their compiled dist/ (the `import` condition): run `npm run build` at the root first.
const path = require('node:path');
const { getDefaultConfig } = require('expo/metro-config');

const root = path.resolve(__dirname, '../..');
const config = getDefaultConfig(__dirname);
config.watchFolders = [root];
config.resolver.nodeModulesPaths = [
  path.resolve(__dirname, 'node_modules'),
  path.resolve(root, 'node_modules'),
];
module.exports = config;
