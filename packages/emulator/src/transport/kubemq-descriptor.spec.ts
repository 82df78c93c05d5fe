// The embedded descriptor must match proto/kubemq.proto (the tool rebuilds it with buf and compares).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { KUBEMQ_FILE_DESCRIPTOR_BASE64 } from './kubemq-descriptor.js';

describe('kubemq-descriptor.ts', () => {
  it('is up to date with proto/kubemq.proto (else run node packages/emulator/tools/descriptor.mjs)', () => {
    const tool = join(__dirname, '..', '..', 'tools', 'descriptor.mjs');
    expect(() => execFileSync(process.execPath, [tool, '--check'], { stdio: 'pipe' })).not.toThrow();
    expect(Buffer.from(KUBEMQ_FILE_DESCRIPTOR_BASE64, 'base64').length).toBeGreaterThan(1000);
  }, 60_000);
});
