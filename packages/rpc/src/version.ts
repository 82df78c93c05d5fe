// Kept equal to package.json's version by tools/release (npm run release:check, and its --fix).
export const PACKAGE = { name: '@kubemq/rpc', version: '0.1.0' } as const;
