import { GLOBAL_BROKER_KEY } from './global-setup.js';
import globalTeardown from './global-teardown.js';
import { SHARED_BROKER_ENV as SHARED_BROKER_ENV_NAME } from './shared-broker.js';

type Holder = { [GLOBAL_BROKER_KEY]?: unknown };

function fakeBroker(crashReports: string[]) {
  const broker = { disposed: false, crashReports, [Symbol.asyncDispose]: async () => void (broker.disposed = true) };
  return broker;
}

describe('globalTeardown', () => {
  it('disposes the shared broker and clears the env', async () => {
    const broker = fakeBroker([]);
    (globalThis as Holder)[GLOBAL_BROKER_KEY] = broker;
    process.env[SHARED_BROKER_ENV_NAME] = '{}';
    await globalTeardown();
    expect(broker.disposed).toBe(true);
    expect(process.env[SHARED_BROKER_ENV_NAME]).toBeUndefined();
    expect((globalThis as Holder)[GLOBAL_BROKER_KEY]).toBeUndefined();
  });

  it('fails the run when the shared broker died during it (after disposing it)', async () => {
    const broker = fakeBroker(['the emulator 127.0.0.1:1 broker died unexpectedly (code 2, signal null)']);
    (globalThis as Holder)[GLOBAL_BROKER_KEY] = broker;
    await expect(globalTeardown()).rejects.toThrow(/the shared broker died during the run:\n.*died unexpectedly/);
    expect(broker.disposed).toBe(true);
  });

  it('fails the run for a death that shows only while disposing (its exit not yet seen when the teardown began)', async () => {
    let exitSeen = false;
    const broker = {
      // As ProcessBroker's: a fresh array, which gains the death once its exit has been processed.
      get crashReports(): string[] {
        return exitSeen ? ['the emulator 127.0.0.1:1 broker died unexpectedly (code null, signal SIGKILL)'] : [];
      },
      [Symbol.asyncDispose]: async () => void (exitSeen = true),
    };
    (globalThis as Holder)[GLOBAL_BROKER_KEY] = broker;
    await expect(globalTeardown()).rejects.toThrow(/died unexpectedly \(code null, signal SIGKILL\)/);
  });

  it('does nothing without a shared broker', async () => {
    await expect(globalTeardown()).resolves.toBeUndefined();
  });
});
