// The kubemq-emulator bin as a process: ready line, flags, exit codes, signals, and the
// open-source server's command line and environment (broker-behaviour.md §1.1, §1.2, §1.7).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueuesUpstreamRequest } from '../../src/generated/kubemq.js';
import { call, connect } from './support/harness.js';
import { ensureBuilt, freePort, runCli, type CliRun } from './support/cli-process.js';

const running: CliRun[] = [];
const start = (args: string[], opts?: Parameters<typeof runCli>[1]) => {
  const r = runCli(args, opts);
  running.push(r);
  return r;
};

beforeAll(() => ensureBuilt(), 120_000);
afterEach(async () => {
  for (const r of running.splice(0)) {
    if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    await r.exited;
  }
});

describe('kubemq-emulator CLI', () => {
  it('prints one ready line, serves Ping, and stops gracefully on SIGTERM', async () => {
    const r = start(['--port', '0', '--log-level', 'silent']);
    const address = await r.ready();
    expect(r.stdout).toBe(`kubemq-emulator listening on ${address}\n`);
    const c = connect(address);
    expect((await call(c.ping.bind(c), {})).Version).toBe('v2.4.0-emulator');
    c.close();
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
  }, 30_000);

  it('stops on SIGINT too', async () => {
    const r = start(['--port', '0']);
    await r.ready();
    r.child.kill('SIGINT');
    expect(await r.exited).toBe(0);
  }, 30_000);

  it('exits 2 with `panic:` on stderr where the real server crashes: a queue upstream cancelled before its half-close (§5.3)', async () => {
    const r = start(['--port', '0']);
    const c = connect(await r.ready());
    const up = c.queuesUpstream();
    up.on('error', () => undefined);
    const answered = new Promise((resolve) => up.once('data', resolve));
    up.write(QueuesUpstreamRequest.fromPartial({ RequestID: 'r1', Messages: [{ ClientID: 'c', Channel: 'q.panic', Body: Buffer.from('x') }] }));
    await answered;
    up.cancel();
    expect(await r.exited).toBe(2);
    expect(r.stderr).toMatch(/panic: QueuesUpstream cancelled before its half-close was read/);
    c.close();
  }, 30_000);

  it('exits 2 with a clear message on a bad flag', async () => {
    const r = start(['--bogus']);
    expect(await r.exited).toBe(2);
    expect(r.stderr).toContain('error: unknown option: --bogus');
    expect(r.stderr).toContain('Usage: kubemq-emulator');
  }, 30_000);

  it('exits 1 with a clear message when the port is taken', async () => {
    const first = start(['--port', '0']);
    const address = await first.ready();
    const port = address.split(':').pop()!;
    const second = start(['--port', port]);
    expect(await second.exited).toBe(1);
    expect(second.stderr).toMatch(/^error: cannot listen: port \d+ on 127\.0\.0\.1 is already in use/m);
  }, 30_000);

  it('exits 1 with Error 201 on a bad certificate (§1.3)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bad-pem-'));
    try {
      writeFileSync(join(dir, 'bad.pem'), 'not a certificate');
      const r = start(['--port', '0', '--tls-cert', join(dir, 'bad.pem'), '--tls-key', join(dir, 'bad.pem')]);
      expect(await r.exited).toBe(1);
      // Refused in config resolution, naming the option (the key is read first, as by Go's tls.X509KeyPair).
      expect(r.stderr).toMatch(/^error: invalid configuration: tls\.keyPem: Error 201: error on loading TLS keys: tls: failed to parse private key/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('prints help', async () => {
    const r = start(['--help']);
    expect(await r.exited).toBe(0);
    expect(r.stdout).toContain('--channel-management');
  }, 30_000);

  it('runs as `server` with the real server environment, in a fresh cwd (§1.7)', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'kubemq-cwd-'));
    try {
      const [grpcPort, restPort, apiPort] = [await freePort(), await freePort(), await freePort()];
      const r = start(['server'], {
        cwd,
        env: {
          GRPC_PORT: String(grpcPort),
          REST_PORT: String(restPort),
          API_PORT: String(apiPort),
          STORE_STORE_PATH: './store',
          STORE_CLEAN_STORE: 'true',
          LOG_LEVEL: 'warn',
          HOST: 'kubemq-test',
        },
      });
      const address = await r.ready();
      expect(address).toBe(`127.0.0.1:${grpcPort}`);
      const c = connect(address);
      const ping = await call(c.ping.bind(c), {});
      expect(ping.Host).toBe('kubemq-test');
      c.close();
      r.child.kill('SIGTERM');
      expect(await r.exited).toBe(0);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 30_000);
});
