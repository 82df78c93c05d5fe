// Unit tests of the workspace tools: plain ESM (.mjs), run by jest's native ESM support
// (the `test` target sets NODE_OPTIONS=--experimental-vm-modules), no transform.
module.exports = {
  displayName: 'tools unit',
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/**/*.spec.mjs'],
  transform: {},
  testTimeout: 10_000,
};
