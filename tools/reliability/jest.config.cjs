// Unit tests: the proxy, the statistics, property-based tests of core's validators and conversions.
const { jestConfig } = require('../jest/preset.cjs');

module.exports = { ...jestConfig(__dirname, 'unit'), testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/unit/**/*.spec.ts'] };
