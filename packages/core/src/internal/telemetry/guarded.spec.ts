import type { Logger } from '../../client/logger.js';
import type { Instrumentation, MessagingOperation, OperationSpan, Telemetry } from '../../telemetry/telemetry.js';
import { instrumentSafely } from './guarded.js';

const client = { address: '127.0.0.1:50000', clientId: 'c-1' };
const op: MessagingOperation = { pattern: 'events', type: 'process', name: 'process', channel: 'orders' };

function logger() {
  const warnings: string[] = [];
  const log: Logger = { debug: () => undefined, info: () => undefined, warn: (m) => void warnings.push(m), error: () => undefined };
  return { log, warnings };
}

/** A Telemetry whose instrumentation is `parts`, with the rest well-behaved. */
function telemetry(parts: Partial<Instrumentation>): Telemetry {
  return { instrument: () => ({ start: () => ({ run: (fn) => fn(), end: () => undefined }), reconnected: () => undefined, retried: () => undefined, ...parts }) };
}

function fails(message: string): () => never {
  return () => {
    throw new Error(message);
  };
}

describe('instrumentSafely', () => {
  it('is undefined without telemetry', () => {
    expect(instrumentSafely(undefined, client, logger().log)).toBeUndefined();
  });

  it('a start() that throws gives a span that records nothing and still runs the work; the first failure is logged once', () => {
    const { log, warnings } = logger();
    const guarded = instrumentSafely(telemetry({ start: fails('exporter bug') }), client, log);
    const span = guarded?.start(op);
    expect(span?.run(() => 42)).toBe(42);
    expect(() => span?.end(new Error('handler failed'))).not.toThrow();
    expect(() => guarded?.start(op).end()).not.toThrow();
    expect(() => guarded?.reconnected()).not.toThrow();
    expect(warnings).toEqual([expect.stringContaining('telemetry start() threw')]);
    expect(warnings[0]).toContain('exporter bug');
  });

  it('a run() that returns a promise of its own around the work\'s (a timing .finally()) leaves no unhandled rejection when the work fails', async () => {
    const derived: Promise<unknown>[] = [];
    const wrapping: OperationSpan = {
      run: (fn) => {
        const own = (fn() as Promise<unknown>).finally(() => undefined);
        derived.push(own);
        jest.spyOn(own, 'catch');
        return own as never;
      },
      end: () => undefined,
    };
    const guarded = instrumentSafely(telemetry({ start: () => wrapping }), client, logger().log);
    await expect(guarded?.start(op).run(() => Promise.reject(new Error('send failed')))).rejects.toThrow('send failed');
    expect(derived).toHaveLength(1);
    // Handled: the caller awaits the work's own promise, and the span's copy is caught.
    expect(derived[0]!.catch).toHaveBeenCalled();
    await derived[0]!.catch(() => undefined);
  });

  it('run() calls the work exactly once and hands back what it returned or threw, whatever the span does', () => {
    const spans: Record<string, OperationSpan> = {
      'throws before': { run: fails('before'), end: () => undefined },
      'throws after': { run: (fn) => (fn(), fails('after')()), end: () => undefined },
      'calls twice': { run: (fn) => (fn(), fn()), end: () => undefined },
      'never calls': { run: () => 'something else' as never, end: () => undefined },
      'swallows': {
        run: (fn) => {
          try {
            return fn();
          } catch {
            return undefined as never;
          }
        },
        end: () => undefined,
      },
    };
    for (const [name, inner] of Object.entries(spans)) {
      const guarded = instrumentSafely(telemetry({ start: () => inner }), client, logger().log);
      let calls = 0;
      expect([name, guarded?.start(op).run(() => ++calls)]).toEqual([name, 1]);
      expect([name, calls]).toEqual([name, 1]);
      const failing = guarded?.start(op);
      expect(() =>
        failing?.run(() => {
          throw new Error('handler failed');
        }),
      ).toThrow('handler failed');
    }
  });

  it('end(), reconnected() and retried() that throw are swallowed', () => {
    const { log, warnings } = logger();
    const guarded = instrumentSafely(
      telemetry({ start: () => ({ run: (fn) => fn(), end: fails('end bug') }), reconnected: fails('r'), retried: fails('t') }),
      client,
      log,
    );
    expect(() => guarded?.start(op).end()).not.toThrow();
    expect(() => guarded?.reconnected()).not.toThrow();
    expect(() => guarded?.retried('events.subscribe', 'stream_reopen')).not.toThrow();
    expect(warnings).toHaveLength(1);
  });

  it('an instrument() that throws leaves the client without telemetry, with a warning', () => {
    const { log, warnings } = logger();
    expect(instrumentSafely({ instrument: fails('no exporter') }, client, log)).toBeUndefined();
    expect(warnings).toEqual([expect.stringContaining('no exporter')]);
  });

  it('passes the operation, the outcome and the active span through to a working telemetry', () => {
    const seen: unknown[] = [];
    const guarded = instrumentSafely(
      telemetry({
        start: (o) => (seen.push(o), { run: (fn) => (seen.push('run'), fn()), end: (e?: unknown) => void seen.push(e ?? 'ok') }),
        retried: (operation, reason) => void seen.push(operation, reason),
      }),
      client,
      logger().log,
    );
    const span = guarded?.start(op);
    expect(span?.run(() => 'r')).toBe('r');
    span?.end();
    guarded?.retried('queues.send', 'token_refresh');
    expect(seen).toEqual([op, 'run', 'ok', 'queues.send', 'token_refresh']);
  });
});
