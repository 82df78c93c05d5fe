// startKubemq's process modes against a stand-in broker (test/fixtures/fake-broker.cjs), so the
// wiring (command line, env, temp dirs, readiness, failure output, crash reports) is tested
// without the emulator. The real emulator is exercised in test/integration.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { startKubemq } from '../../src/start-kubemq.js';
import { BrokerStartError } from '../../src/internal/child-broker.js';
import { ping } from '../../src/internal/ping.js';
import { ContainerUnavailableError } from '../../src/modes/container.js';
import type { KubemqBroker } from '../../src/types.js';

const FAKE = join(__dirname, '..', 'fixtures', 'fake-broker.cjs');
const SAVED = { ...process.env };

interface Seen {
  args: string[];
  cwd: string;
  env: Record<string, string>;
}
async function seen(broker: KubemqBroker): Promise<Seen> {
  return JSON.parse((await ping({ address: broker.address })).version) as Seen;
}

beforeEach(() => {
  for (const key of ['KUBEMQ_ADDRESS', 'KUBEMQ_BINARY', 'KUBEMQ_TESTCONTAINERS', 'KUBEMQ_EMULATOR_BIN', 'FAKE_MODE', 'FAKE_MARKER', 'KUBEMQ_CAPABILITIES']) {
    delete process.env[key];
  }
});
afterAll(() => {
  process.env = SAVED;
});

/** What the running test must undo, pass or fail. */
const cleanups: (() => PromiseLike<void>)[] = [];
const afterThisTest = (cleanup: () => PromiseLike<void>): void => void cleanups.push(cleanup);
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('emulator mode (KUBEMQ_EMULATOR_BIN)', () => {
  it('starts the CLI with port, host, data dir and option flags, in a temp dir that dispose removes', async () => {
    process.env['KUBEMQ_EMULATOR_BIN'] = FAKE;
    const broker = await startKubemq({ queryCache: true, keepaliveEnforcement: false, env: { QUEUE_MAX_RECEIVE_COUNT: '7' } });
    // A failed expectation must not leave the broker running: jest would wait for it forever.
    afterThisTest(() => broker[Symbol.asyncDispose]());
    const s = await seen(broker);
    expect(broker.kind).toBe('emulator');
    expect(broker.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(s.args).toEqual([
      '--port',
      broker.address.split(':')[1],
      '--host',
      '127.0.0.1',
      '--data-dir',
      join(s.cwd, 'data'),
      '--query-cache',
      '--no-keepalive-enforcement',
    ]);
    expect(s.env['QUEUE_MAX_RECEIVE_COUNT']).toBe('7');
    expect(broker.capabilities.queryCache).toBe(true);
    expect(existsSync(s.cwd)).toBe(true);
    await broker[Symbol.asyncDispose]();
    expect(existsSync(s.cwd)).toBe(false);
    await expect(broker.restart()).rejects.toThrow(/disposed/);
  });

  it("passes the shell's environment without the server's settings, which only options.env sets", async () => {
    process.env['KUBEMQ_EMULATOR_BIN'] = FAKE;
    const inherited = { LOG_LEVEL: 'verbose', HOST: '0.0.0.0', QUEUE_MAX_RECEIVE_COUNT: '99', STORE_CLEAN_STORE: 'true', DEV: 'true' };
    Object.assign(process.env, inherited);
    try {
      await using broker = await startKubemq({ env: { QUEUE_MAX_RECEIVE_COUNT: '7' } });
      expect((await seen(broker)).env).toEqual({ QUEUE_MAX_RECEIVE_COUNT: '7' });
    } finally {
      for (const key of Object.keys(inherited)) delete process.env[key];
    }
  });

  it('stop, then restart on the same port; kill, then restart', async () => {
    process.env['KUBEMQ_EMULATOR_BIN'] = FAKE;
    await using broker = await startKubemq();
    const address = broker.address;
    await broker.stop();
    await expect(ping({ address }, { timeoutMs: 500 })).rejects.toMatchObject({ code: 14 });
    await broker.restart();
    expect(broker.address).toBe(address);
    await ping({ address });
    await broker.kill();
    await expect(ping({ address }, { timeoutMs: 500 })).rejects.toMatchObject({ code: 14 });
    await broker.restart();
    await ping({ address });
    await broker.restart(); // while running: graceful stop first
    await ping({ address });
    expect((await seen(broker)).args).not.toContain('--clean-store');
    await broker.restart({ cleanStore: true });
    expect((await seen(broker)).args).toContain('--clean-store');
  });

  it('a broker that fails to start shows its output', async () => {
    process.env['KUBEMQ_EMULATOR_BIN'] = FAKE;
    process.env['FAKE_MODE'] = 'fail';
    await expect(startKubemq()).rejects.toThrow(/emulator 127\.0\.0\.1:\d+ failed to start: exited during startup \(code 2[\s\S]*bind: something is wrong/);
  });

  it('a start that finds its port taken is retried on a new port', async () => {
    process.env['KUBEMQ_EMULATOR_BIN'] = FAKE;
    process.env['FAKE_MODE'] = 'in-use-once';
    const marker = join(mkdtempSync(join(tmpdir(), 'fake-marker-')), 'marker');
    process.env['FAKE_MARKER'] = marker;
    await using broker = await startKubemq();
    const firstPort = readFileSync(marker, 'utf8');
    expect(broker.address).not.toBe(`127.0.0.1:${firstPort}`);
    await ping({ address: broker.address });
    rmSync(dirname(marker), { recursive: true, force: true });
  });

  it('a broker that never answers times out with its output', async () => {
    process.env['KUBEMQ_EMULATOR_BIN'] = FAKE;
    process.env['FAKE_MODE'] = 'silent';
    await expect(startKubemq({ startTimeoutMs: 1500 })).rejects.toThrow(/no Ping answer[\s\S]*fake broker starting/);
  });

  it('a broker that dies on its own is reported loudly, with its output', async () => {
    process.env['KUBEMQ_EMULATOR_BIN'] = FAKE;
    process.env['FAKE_MODE'] = 'crash';
    const errors: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((text: string) => void errors.push(text));
    try {
      await using broker = await startKubemq();
      const address = broker.address;
      const deadline = performance.now() + 5000;
      while (errors.length === 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(errors.join('\n')).toMatch(new RegExp(`emulator ${address} broker DIED UNEXPECTEDLY \\(code 3[\\s\\S]*panic: fake crash`));
      expect((broker as unknown as { crashReports: string[] }).crashReports).toEqual([expect.stringMatching(/died unexpectedly \(code 3[\s\S]*panic: fake crash/)]);
    } finally {
      spy.mockRestore();
    }
  });

  it('kill and restart are not reported as unexpected deaths', async () => {
    process.env['KUBEMQ_EMULATOR_BIN'] = FAKE;
    const errors: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((text: string) => void errors.push(text));
    try {
      const broker = await startKubemq();
      await broker.kill();
      await broker.restart();
      await broker[Symbol.asyncDispose]();
      expect(errors).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });

  it('names a missing KUBEMQ_EMULATOR_BIN', async () => {
    process.env['KUBEMQ_EMULATOR_BIN'] = '/nonexistent/main.js';
    await expect(startKubemq()).rejects.toThrow('KUBEMQ_EMULATOR_BIN=/nonexistent/main.js: no such file');
  });
});

describe('binary mode (KUBEMQ_BINARY)', () => {
  it('runs `<binary> server` in a fresh temp cwd with the §1.7 environment; restart keeps the store', async () => {
    process.env['KUBEMQ_BINARY'] = FAKE;
    process.env['DEV'] = 'true';
    const broker = await startKubemq({ queryCache: true, env: { QUEUE_MAX_RECEIVE_COUNT: '3' } });
    try {
      expect(broker.kind).toBe('binary');
      expect(broker.capabilities).toMatchObject({ restart: true, kill: true, queryCache: false, auth: false });
      const first = await seen(broker);
      expect(first.args).toEqual(['server']);
      expect(first.cwd).toMatch(/kubemq-binary-/);
      expect(first.env).toMatchObject({
        GRPC_PORT: broker.address.split(':')[1],
        STORE_STORE_PATH: './store',
        STORE_CLEAN_STORE: 'true',
        HOST: 'kubemq-test',
        LOG_LEVEL: 'warn',
        QUEUE_MAX_RECEIVE_COUNT: '3',
      });
      expect(first.env['DEV']).toBeUndefined();
      expect(new Set([first.env['GRPC_PORT'], first.env['REST_PORT'], first.env['API_PORT']]).size).toBe(3);
      await broker.restart();
      const second = await seen(broker);
      expect(second.env['STORE_CLEAN_STORE']).toBe('false');
      expect(second.cwd).toBe(first.cwd);
      expect(second.env['GRPC_PORT']).toBe(first.env['GRPC_PORT']);
      await broker.restart({ cleanStore: true });
      expect((await seen(broker)).env['STORE_CLEAN_STORE']).toBe('true');
    } finally {
      await broker[Symbol.asyncDispose]();
    }
  });

  it('takes a relative KUBEMQ_BINARY from where npm was started (INIT_CWD), not from the project folder jest runs in', async () => {
    const saved = process.env['INIT_CWD'];
    process.env['INIT_CWD'] = dirname(FAKE);
    process.env['KUBEMQ_BINARY'] = './fake-broker.cjs';
    try {
      await using broker = await startKubemq();
      expect(broker.kind).toBe('binary');
    } finally {
      if (saved === undefined) delete process.env['INIT_CWD'];
      else process.env['INIT_CWD'] = saved;
    }
  });

  it('refuses a binary with a config.yaml beside it (the server would read and rewrite it for every test broker)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubemq-beside-'));
    try {
      writeFileSync(join(dir, 'kubemq'), '');
      writeFileSync(join(dir, 'config.yaml'), 'grpc:\n  port: 50000\n');
      process.env['KUBEMQ_BINARY'] = join(dir, 'kubemq');
      await expect(startKubemq()).rejects.toThrow(/config\.yaml exists; the server reads and rewrites/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names a missing KUBEMQ_BINARY', async () => {
    process.env['KUBEMQ_BINARY'] = './no-such-kubemq';
    await expect(startKubemq()).rejects.toThrow('KUBEMQ_BINARY=./no-such-kubemq: no such file');
  });
});

describe('external mode (KUBEMQ_ADDRESS)', () => {
  it('uses the address as is; restart and kill throw; stop does nothing', async () => {
    process.env['KUBEMQ_EMULATOR_BIN'] = FAKE;
    await using real = await startKubemq();
    process.env['KUBEMQ_ADDRESS'] = real.address;
    process.env['KUBEMQ_CAPABILITIES'] = 'queryCache';
    const external = await startKubemq();
    expect(external.kind).toBe('external');
    expect(external.address).toBe(real.address);
    expect(external.capabilities).toMatchObject({ restart: false, kill: false, queryCache: true, auth: false });
    await expect(external.restart()).rejects.toThrow(/restart\(\) is unavailable for an external broker/);
    await expect(external.kill()).rejects.toThrow(/kill\(\) is unavailable for an external broker/);
    await external.stop();
    await external[Symbol.asyncDispose]();
    await ping({ address: real.address });
  });

  it('fails at once, with a BrokerStartError, when nothing listens there (not after the start timeout)', async () => {
    process.env['KUBEMQ_ADDRESS'] = '127.0.0.1:1';
    const started = performance.now();
    const failure = startKubemq(); // the default 60 s start timeout
    await expect(failure).rejects.toThrow(BrokerStartError);
    await expect(failure).rejects.toThrow(/^KUBEMQ_ADDRESS=127\.0\.0\.1:1: no broker answers there \(14 UNAVAILABLE: connect ECONNREFUSED 127\.0\.0\.1:1\)$/);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('gives a broker that accepts but never answers 5 s at most (or the start timeout, if shorter)', async () => {
    const silent = createServer(() => undefined).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      process.env['KUBEMQ_ADDRESS'] = `127.0.0.1:${String((silent.address() as AddressInfo).port)}`;
      await expect(startKubemq({ startTimeoutMs: 300 })).rejects.toThrow(/no broker answers there \(4 DEADLINE_EXCEEDED/);
      const started = performance.now();
      await expect(startKubemq()).rejects.toThrow(BrokerStartError); // the default 60 s start timeout
      expect(performance.now() - started).toBeLessThan(7000);
    } finally {
      silent.close();
    }
  }, 15_000);

  it('takes a refusal as a live broker (a Ping without the token it wants)', async () => {
    process.env['KUBEMQ_EMULATOR_BIN'] = FAKE;
    await using real = await startKubemq({ auth: { token: 't' } });
    process.env['KUBEMQ_ADDRESS'] = real.address;
    await expect(startKubemq()).resolves.toMatchObject({ kind: 'external', address: real.address });
  });

  it('refuses a malformed address', async () => {
    process.env['KUBEMQ_ADDRESS'] = 'localhost';
    await expect(startKubemq()).rejects.toThrow('KUBEMQ_ADDRESS must be host:port');
  });
});

describe('container mode (KUBEMQ_TESTCONTAINERS)', () => {
  beforeEach(() => {
    process.env['KUBEMQ_EMULATOR_BIN'] = FAKE;
    process.env['DOCKER_HOST'] = 'unix:///nonexistent/docker.sock';
  });
  afterEach(() => {
    if (SAVED['DOCKER_HOST'] === undefined) delete process.env['DOCKER_HOST'];
    else process.env['DOCKER_HOST'] = SAVED['DOCKER_HOST'];
  });

  it.each(['1', 'true'])('=%s without a Docker engine fails, saying how to allow the emulator', async (value) => {
    process.env['KUBEMQ_TESTCONTAINERS'] = value;
    const failure = startKubemq();
    await expect(failure).rejects.toThrow(ContainerUnavailableError);
    await expect(failure).rejects.toThrow(new RegExp(`KUBEMQ_TESTCONTAINERS=${value} asks for a container, but no Docker engine answers .*Set KUBEMQ_TESTCONTAINERS=prefer`));
  }, 30_000);

  it('=prefer without a Docker engine prints why and falls back to the emulator', async () => {
    process.env['KUBEMQ_TESTCONTAINERS'] = 'prefer';
    const warnings: string[] = [];
    const spy = jest.spyOn(console, 'warn').mockImplementation((text: string) => void warnings.push(text));
    try {
      await using broker = await startKubemq();
      expect(broker.kind).toBe('emulator');
      expect(warnings.join('\n')).toMatch(/KUBEMQ_TESTCONTAINERS=prefer but no Docker engine answers .*; using the emulator instead/);
    } finally {
      spy.mockRestore();
    }
  }, 30_000);

  it('an unknown value fails rather than meaning "no container"', async () => {
    process.env['KUBEMQ_TESTCONTAINERS'] = 'yes';
    await expect(startKubemq()).rejects.toThrow(/KUBEMQ_TESTCONTAINERS must be 1 or true .* got 'yes'/);
  });
});

describe('options', () => {
  it('are checked before anything starts', async () => {
    await expect(startKubemq({ auth: { token: '' } })).rejects.toThrow('options.auth.token');
  });
});
