import { ValidationError } from '@kubemq/core';
import { DEFAULT_QUEUE_LIMITS } from './limits.js';
import {
  toWireMessage,
  toWireMessages,
  validateAckAll,
  validateInfoChannels,
  validatePoll,
  validateReceive,
  validateSequences,
} from './validation.js';

const L = DEFAULT_QUEUE_LIMITS;

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(ValidationError.isKubemqError(err)).toBe(true);
    expect((err as ValidationError).code).toBe('VALIDATION');
    return (err as ValidationError).field;
  }
  throw new Error('expected a ValidationError');
}

const msg = (extra: Record<string, unknown> = {}) => ({ channel: 'tasks', body: 'x', ...extra });

describe('toWireMessage', () => {
  it('converts a message, generating an id and encoding a string body as UTF-8', () => {
    const wire = toWireMessage(msg({ metadata: 'm', tags: { a: 'b' } }), '', 'client-1', L);
    expect(wire.MessageID).toMatch(/^[0-9a-f-]{36}$/);
    expect(wire.ClientID).toBe('client-1');
    expect(wire.Channel).toBe('tasks');
    expect(Buffer.from(wire.Body).toString('utf8')).toBe('x');
    expect(wire.Metadata).toBe('m');
    expect(wire.Tags).toEqual({ a: 'b' });
    expect(wire.Policy).toBeUndefined();
    expect(wire.Attributes).toBeUndefined();
  });

  it('keeps a given id and binary body', () => {
    const wire = toWireMessage({ channel: 'q', body: new Uint8Array([0, 255]), id: 'my-id' }, '', 'c', L);
    expect(wire.MessageID).toBe('my-id');
    expect([...wire.Body]).toEqual([0, 255]);
  });

  it('accepts metadata alone (tags alone do not count)', () => {
    expect(toWireMessage({ channel: 'q', metadata: 'only' }, '', 'c', L).Metadata).toBe('only');
    expect(fieldOf(() => toWireMessage({ channel: 'q', tags: { a: 'b' } }, '', 'c', L))).toBe('body');
    expect(fieldOf(() => toWireMessage({ channel: 'q' }, '', 'c', L))).toBe('body');
  });

  it.each([
    ['', 'empty'],
    ['a.*', 'wildcard'],
    ['a.>', 'wildcard'],
    ['a b', 'space'],
    ['a\tb', 'tab'],
    ['a.', 'trailing dot'],
    ['a\u0001b', 'control character'],
    ['a..b', 'empty token'],
    ['a/b', 'slash'],
    [undefined, 'missing'],
  ])('rejects the channel %j (%s) naming the field', (channel: string | undefined, _why: string) => {
    expect(fieldOf(() => toWireMessage({ channel, body: 'x' }, '', 'c', L))).toBe('channel');
  });

  it('converts policy durations from ms to whole seconds', () => {
    const wire = toWireMessage(
      msg({ policy: { delayMs: 5000, expirationMs: 43_200_000, maxReceiveCount: 3, deadLetterQueue: 'dlq' } }),
      '',
      'c',
      L,
    );
    expect(wire.Policy).toEqual({ DelaySeconds: 5, ExpirationSeconds: 43_200, MaxReceiveCount: 3, MaxReceiveQueue: 'dlq' });
  });

  it.each([
    [{ delayMs: -1000 }, 'policy.delayMs'],
    [{ delayMs: 1500 }, 'policy.delayMs'],
    [{ delayMs: 43_201_000 }, 'policy.delayMs'],
    [{ expirationMs: -1 }, 'policy.expirationMs'],
    [{ expirationMs: 43_201_000 }, 'policy.expirationMs'],
    [{ expirationMs: Number.NaN }, 'policy.expirationMs'],
    [{ maxReceiveCount: 0 }, 'policy.maxReceiveCount'],
    [{ maxReceiveCount: -1 }, 'policy.maxReceiveCount'],
    [{ maxReceiveCount: 1025 }, 'policy.maxReceiveCount'],
    [{ maxReceiveCount: 1.5 }, 'policy.maxReceiveCount'],
    [{ deadLetterQueue: 'bad queue' }, 'policy.deadLetterQueue'],
    [{ deadLetterQueue: 'dlq.*' }, 'policy.deadLetterQueue'],
  ])('rejects the policy %j naming %s', (policy, field) => {
    expect(fieldOf(() => toWireMessage(msg({ policy }), '', 'c', L))).toBe(field);
  });

  it('honours custom broker limits', () => {
    const limits = { ...L, maxDelaySeconds: 86_400 };
    expect(toWireMessage(msg({ policy: { delayMs: 86_400_000 } }), '', 'c', limits).Policy?.DelaySeconds).toBe(86_400);
  });

  it('names fields inside a batch', () => {
    expect(fieldOf(() => toWireMessages([msg(), msg({ policy: { delayMs: 10 } })], 'messages', 'c', L))).toBe('messages[1].policy.delayMs');
    expect(fieldOf(() => toWireMessages([], 'messages', 'c', L))).toBe('messages');
    expect(fieldOf(() => toWireMessages('x', 'messages', 'c', L))).toBe('messages');
    expect(fieldOf(() => toWireMessages([msg(), { channel: 'q' }], 'messages', 'c', L))).toBe('messages[1].body');
    expect(fieldOf(() => toWireMessages([msg({ tags: { k: 1 } })], 'messages', 'c', L))).toBe('messages[0].tags.k');
  });

  it('checks the channel of every message of a batch, not only the first', () => {
    const first = msg();
    for (const bad of ['q r', 'q.', '', 'a\tb', 'x'.repeat(247), 7]) {
      expect(fieldOf(() => toWireMessages([first, msg(), msg({ channel: bad as string })], 'messages', 'c', L))).toBe('messages[2].channel');
    }
    // Alternating channels are each checked; the same name again is accepted.
    const wire = toWireMessages([first, msg({ channel: 'other' }), first], 'messages', 'c', L);
    expect(wire.map((w) => w.Channel)).toEqual([first.channel, 'other', first.channel]);
    expect(fieldOf(() => toWireMessages([first, msg({ channel: 'other' }), msg({ channel: 'bad name' })], 'messages', 'c', L))).toBe('messages[2].channel');
  });
});

describe('receive / peek / ack-all options', () => {
  it('defaults to one message and one second', () => {
    expect(validateReceive({ channel: 'q' }, L)).toMatchObject({ channel: 'q', maxItems: 1, waitSeconds: 1 });
  });

  it('accepts the broker bounds: 1..1024 messages, 0..3600 s', () => {
    expect(validateReceive({ channel: 'q', maxItems: 1024, waitTimeoutMs: 0 }, L)).toMatchObject({ maxItems: 1024, waitSeconds: 0 });
    expect(validateReceive({ channel: 'q', waitTimeoutMs: 3_600_000 }, L).waitSeconds).toBe(3600);
  });

  it.each([
    [{ maxItems: 0 }, 'maxItems'],
    [{ maxItems: 1025 }, 'maxItems'],
    [{ maxItems: 2.5 }, 'maxItems'],
    [{ waitTimeoutMs: -1000 }, 'waitTimeoutMs'],
    [{ waitTimeoutMs: 3_601_000 }, 'waitTimeoutMs'],
    [{ waitTimeoutMs: 500 }, 'waitTimeoutMs'],
    [{ channel: 'x y' }, 'channel'],
    [{ signal: 'no' }, 'signal'],
    [{ timeoutMs: 0 }, 'timeoutMs'],
  ])('rejects %j', (extra, field) => {
    expect(fieldOf(() => validateReceive({ channel: 'q', ...extra }, L))).toBe(field);
  });

  it('checks ack-all the same way', () => {
    expect(validateAckAll({ channel: 'q', waitTimeoutMs: 2000 }, L).waitSeconds).toBe(2);
    expect(fieldOf(() => validateAckAll({ channel: 'q', waitTimeoutMs: 3_601_000 }, L))).toBe('waitTimeoutMs');
    expect(fieldOf(() => validateAckAll({ channel: '' }, L))).toBe('channel');
  });
});

describe('poll requests', () => {
  it('defaults to one item and the broker floor of 1000 ms', () => {
    expect(validatePoll({ channel: 'q' }, L)).toMatchObject({ maxItems: 1, waitTimeoutMs: 1000, autoAck: false });
  });

  it('rejects waits below the broker floor instead of stretching them', () => {
    expect(fieldOf(() => validatePoll({ channel: 'q', waitTimeoutMs: 999 }, L))).toBe('waitTimeoutMs');
    expect(fieldOf(() => validatePoll({ channel: 'q', waitTimeoutMs: 0 }, L))).toBe('waitTimeoutMs');
    expect(validatePoll({ channel: 'q', waitTimeoutMs: 1500 }, L).waitTimeoutMs).toBe(1500);
  });

  it.each([
    [{ maxItems: 0 }, 'maxItems'],
    [{ maxItems: 200_001 }, 'maxItems'],
    [{ waitTimeoutMs: 3_600_001 }, 'waitTimeoutMs'],
    [{ autoAck: 'yes' }, 'autoAck'],
    [{ channel: 'q.>' }, 'channel'],
  ])('rejects %j', (extra, field) => {
    expect(fieldOf(() => validatePoll({ channel: 'q', ...extra }, L))).toBe(field);
  });
});

describe('info channels', () => {
  it('takes one name or a list of exact names', () => {
    expect(validateInfoChannels(undefined)).toEqual([]);
    expect(validateInfoChannels('a')).toEqual(['a']);
    expect(validateInfoChannels(['a', 'b.c'])).toEqual(['a', 'b.c']);
  });

  it('rejects separators and bad names', () => {
    expect(fieldOf(() => validateInfoChannels(['a', 'b;c']))).toBe('channels[1]');
    expect(fieldOf(() => validateInfoChannels(['a', '']))).toBe('channels[1]');
    expect(fieldOf(() => validateInfoChannels(3))).toBe('channels');
  });
});

describe('sequences', () => {
  const known = new Set([4, 5, 6]);
  it('accepts known sequences', () => {
    expect(validateSequences([4, 6], known)).toEqual([4, 6]);
  });
  it.each([
    [[], 'sequences'],
    ['4', 'sequences'],
    [[4, 7], 'sequences[1]'],
    [[4, 4], 'sequences[1]'],
    [[0], 'sequences[0]'],
    [[4.5], 'sequences[0]'],
  ])('rejects %j', (value, field) => {
    expect(fieldOf(() => validateSequences(value, known))).toBe(field);
  });
});
