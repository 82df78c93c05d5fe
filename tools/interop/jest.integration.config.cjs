// The interop suite: kubemq-js (npm) and this SDK through the broker of @kubemq/testing's
// globalSetup. The spec sits at the project root, not under test/integration/.
const { jestConfig } = require('../jest/preset.cjs');

module.exports = { ...jestConfig(__dirname, 'integration'), testMatch: ['<rootDir>/*.integration.spec.ts'] };
