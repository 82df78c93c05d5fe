// Chaos, leaks, bad input and TLS/auth suites, through @kubemq/testing's broker (the shared one,
// or their own when they kill, restart or need TLS/auth options).
const { jestConfig } = require('../jest/preset.cjs');

module.exports = { ...jestConfig(__dirname, 'integration'), testMatch: ['<rootDir>/test/**/*.integration.spec.ts'], testTimeout: 180_000 };
