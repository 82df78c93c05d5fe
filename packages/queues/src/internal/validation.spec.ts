import { validationField } from '@kubemq/test-fakes';
import { DEFAULT_QUEUE_LIMITS } from './limits.js';
import {
  requireMessageFits,
  toWireMessage,
  toWireMessages,
  validateCallOptions,
  validateInfoChannels,
  validateLimits,
  validatePoll,
  validatePurge,
  validateReceive,
  validateRequeue,
  validateSequences,
} from './validation.js';

const L = DEFAULT_QUEUE_LIMITS;

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
    expect(validationField(() => toWireMessage({ channel: 'q', tags: { a: 'b' } }, '', 'c', L))).toBe('body');
    expect(validationField(() => toWireMessage({ channel: 'q' }, '', 'c', L))).toBe('body');
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
    expect(validationField(() => toWireMessage({ channel, body: 'x' }, '', 'c', L))).toBe('channel');
  });

  it('sends policy durations in whole seconds, as given', () => {
    const wire = toWireMessage(
      msg({ policy: { delaySeconds: 5, expirationSeconds: 43_200, maxReceiveCount: 3, deadLetterQueue: 'dlq' } }),
      '',
      'c',
      L,
    );
    expect(wire.Policy).toEqual({ DelaySeconds: 5, ExpirationSeconds: 43_200, MaxReceiveCount: 3, MaxReceiveQueue: 'dlq' });
  });

  it.each([
    [{ delaySeconds: -1 }, 'policy.delaySeconds'],
    [{ delaySeconds: 1.5 }, 'policy.delaySeconds'],
    [{ delaySeconds: 43_201 }, 'policy.delaySeconds'],
    [{ delaySeconds: '5' }, 'policy.delaySeconds'],
    [{ expirationSeconds: -1 }, 'policy.expirationSeconds'],
    [{ expirationSeconds: 0.5 }, 'policy.expirationSeconds'],
    [{ expirationSeconds: 43_201 }, 'policy.expirationSeconds'],
    [{ expirationSeconds: Number.NaN }, 'policy.expirationSeconds'],
    // kubemq-js's name for the dead-letter queue: ignored, a message past its receive count was dropped.
    [{ maxReceiveCount: 1, maxReceiveQueue: 'tasks.dlq' }, 'policy.maxReceiveQueue'],
    [{ maxReceiveCount: 0 }, 'policy.maxReceiveCount'],
    [{ maxReceiveCount: -1 }, 'policy.maxReceiveCount'],
    [{ maxReceiveCount: 1025 }, 'policy.maxReceiveCount'],
    [{ maxReceiveCount: 1.5 }, 'policy.maxReceiveCount'],
    [{ deadLetterQueue: 'bad queue' }, 'policy.deadLetterQueue'],
    [{ deadLetterQueue: 'dlq.*' }, 'policy.deadLetterQueue'],
  ])('rejects the policy %j naming %s', (policy, field) => {
    expect(validationField(() => toWireMessage(msg({ policy }), '', 'c', L))).toBe(field);
  });

  it('honours custom broker limits', () => {
    const limits = { ...L, maxDelaySeconds: 86_400 };
    expect(toWireMessage(msg({ policy: { delaySeconds: 86_400 } }), '', 'c', limits).Policy?.DelaySeconds).toBe(86_400);
  });

  it('names fields inside a batch', () => {
    expect(validationField(() => toWireMessages([msg(), msg({ policy: { delaySeconds: 0.01 } })], 'messages', 'c', L))).toBe('messages[1].policy.delaySeconds');
    expect(validationField(() => toWireMessages([], 'messages', 'c', L))).toBe('messages');
    // The broker keeps one delayed message per id; an id may repeat where no delay is set.
    const delayed = (id: string) => msg({ id, policy: { delaySeconds: 5 } });
    expect(validationField(() => toWireMessages([delayed('a'), msg({ id: 'a' }), delayed('b'), delayed('a')], 'messages', 'c', L))).toBe('messages[3].id');
    expect(toWireMessages([delayed('a'), msg({ id: 'a' }), msg({ id: 'a' })], 'messages', 'c', L)).toHaveLength(3);
    // Lone surrogates reach the broker as U+FFFD: 'job-\uD800' and 'job-\uD801' would be one id there.
    expect(validationField(() => toWireMessages([delayed('job-\uD800'), delayed('job-\uD801')], 'messages', 'c', L))).toBe('messages[0].id');
    expect(validationField(() => toWireMessage(msg({ id: 'a\u0000b' }), '', 'c', L))).toBe('id');
    expect(toWireMessage(msg({ id: 'job \u{1F600}' }), '', 'c', L).MessageID).toBe('job \u{1F600}');
    expect(validationField(() => toWireMessages('x', 'messages', 'c', L))).toBe('messages');
    // eslint-disable-next-line no-sparse-arrays
    expect(validationField(() => toWireMessages([msg(), , msg()], 'messages', 'c', L))).toBe('messages[1]');
    expect(validationField(() => toWireMessages([msg(), { channel: 'q' }], 'messages', 'c', L))).toBe('messages[1].body');
    expect(validationField(() => toWireMessages([msg({ tags: { k: 1 } })], 'messages', 'c', L))).toBe('messages[0].tags.k');
  });

  it('refuses a batch that would be over maxMessageBytes encoded, though each body fits', () => {
    const body = new Uint8Array(900);
    const batch = [msg({ body }), msg({ body }), msg({ body })];
    expect(toWireMessages(batch, 'messages', 'c', L, 4000)).toHaveLength(3);
    expect(validationField(() => toWireMessages(batch, 'messages', 'c', L, 2500))).toBe('messages');
    expect(() => toWireMessages(batch, 'messages', 'c', L, 2500)).toThrow(/is about 2\d{3} bytes encoded, over the client's maxMessageBytes \(2500\): send it in smaller batches/);
    // near the limit it is measured, not estimated (the estimate is over 3,100 bytes here; the batch is under)
    expect(toWireMessages(batch, 'messages', 'c', L, 3100)).toHaveLength(3);
  });

  it('requireMessageFits: one message sent alone must fit maxMessageBytes encoded, not only its body', () => {
    const wire = toWireMessage(msg({ body: new Uint8Array(1000), id: 'job-1' }), '', 'c', L, 1000);
    expect(() => requireMessageFits(wire, 'message', 1100)).not.toThrow();
    expect(validationField(() => requireMessageFits(wire, 'message', 1010))).toBe('message');
    expect(() => requireMessageFits(wire, 'message', 1010)).toThrow(/invalid message: is 10\d\d bytes encoded \(body, channel, metadata, tags and policy\), over the client's maxMessageBytes \(1010\)/);
    // near the limit it is measured, not estimated: the estimate is over 1,120 bytes here, the message under
    expect(() => requireMessageFits(wire, 'message', 1030)).not.toThrow();
  });

  it('checks the channel of every message of a batch, not only the first', () => {
    const first = msg();
    for (const bad of ['q r', 'q.', '', 'a\tb', 'x'.repeat(247), 7]) {
      expect(validationField(() => toWireMessages([first, msg(), msg({ channel: bad as string })], 'messages', 'c', L))).toBe('messages[2].channel');
    }
    // Alternating channels are each checked; the same name again is accepted.
    const wire = toWireMessages([first, msg({ channel: 'other' }), first], 'messages', 'c', L);
    expect(wire.map((w) => w.Channel)).toEqual([first.channel, 'other', first.channel]);
    expect(validationField(() => toWireMessages([first, msg({ channel: 'other' }), msg({ channel: 'bad name' })], 'messages', 'c', L))).toBe('messages[2].channel');
  });
});

describe('receive / peek / purge options', () => {
  it('defaults to one message and one second', () => {
    expect(validateReceive({ channel: 'q' }, L)).toMatchObject({ channel: 'q', maxItems: 1, waitSeconds: 1 });
  });

  it('accepts the broker bounds: 1..1024 messages, 0..3600 s', () => {
    // 0 goes as 1 s: the broker reads 0 as its configured default, which may outlast the call's deadline.
    expect(validateReceive({ channel: 'q', maxItems: 1024, waitTimeoutSeconds: 0 }, L)).toMatchObject({ maxItems: 1024, waitSeconds: 1 });
    expect(validatePurge({ channel: 'q', waitTimeoutSeconds: 0 }, L)).toMatchObject({ waitSeconds: 1 });
    expect(validateReceive({ channel: 'q', waitTimeoutSeconds: 3600 }, L).waitSeconds).toBe(3600);
  });

  it.each([
    [{ maxItems: 0 }, 'maxItems'],
    [{ maxItems: 1025 }, 'maxItems'],
    [{ maxItems: 2.5 }, 'maxItems'],
    [{ waitTimeoutSeconds: -1 }, 'waitTimeoutSeconds'],
    [{ waitTimeoutSeconds: 3601 }, 'waitTimeoutSeconds'],
    [{ waitTimeoutSeconds: 1.5 }, 'waitTimeoutSeconds'],
    [{ channel: 'x y' }, 'channel'],
  ])('rejects %j', (extra, field) => {
    expect(validationField(() => validateReceive({ channel: 'q', ...extra }, L))).toBe(field);
  });

  it('honours a broker configured with other receive limits', () => {
    const limits = { ...L, maxReceiveItems: 10, maxReceiveWaitSeconds: 5 };
    expect(validationField(() => validateReceive({ channel: 'q', maxItems: 11 }, limits))).toBe('maxItems');
    expect(validationField(() => validateReceive({ channel: 'q', waitTimeoutSeconds: 6 }, limits))).toBe('waitTimeoutSeconds');
    expect(validationField(() => validatePurge({ channel: 'q', waitTimeoutSeconds: 6 }, limits))).toBe('waitTimeoutSeconds');
  });

  it('checks purge the same way, one second by default', () => {
    expect(validatePurge({ channel: 'q' }, L)).toEqual({ channel: 'q', waitSeconds: 1 });
    expect(validatePurge({ channel: 'q', waitTimeoutSeconds: 2 }, L).waitSeconds).toBe(2);
    expect(validationField(() => validatePurge({ channel: 'q', waitTimeoutSeconds: 3601 }, L))).toBe('waitTimeoutSeconds');
    expect(validationField(() => validatePurge({ channel: 'q', waitTimeoutSeconds: 0.5 }, L))).toBe('waitTimeoutSeconds');
    expect(validationField(() => validatePurge({ channel: '' }, L))).toBe('channel');
    expect(validationField(() => validatePurge(null, L))).toBe('options');
  });
});

describe('call options', () => {
  it.each([
    [{ signal: 'no' }, 'signal'],
    [{ timeoutMs: 0 }, 'timeoutMs'],
    [{ timeoutMs: 1.5 }, 'timeoutMs'],
    ['x', 'callOptions'],
  ])('rejects %j', (options, field) => {
    expect(validationField(() => validateCallOptions(options as never, 'callOptions'))).toBe(field);
  });

  it('allows a zero timeout where a close asks for one', () => {
    expect(validateCallOptions({ timeoutMs: 0 }, 'options', { minTimeoutMs: 0 }).timeoutMs).toBe(0);
  });
});

describe('poll requests', () => {
  it('defaults to one item and the broker floor of 1000 ms', () => {
    expect(validatePoll({ channel: 'q' }, L)).toMatchObject({ maxItems: 1, waitTimeoutMs: 1000, autoAck: false });
  });

  it('rejects waits below the broker floor instead of stretching them', () => {
    expect(validationField(() => validatePoll({ channel: 'q', waitTimeoutMs: 999 }, L))).toBe('waitTimeoutMs');
    expect(validationField(() => validatePoll({ channel: 'q', waitTimeoutMs: 0 }, L))).toBe('waitTimeoutMs');
    expect(validatePoll({ channel: 'q', waitTimeoutMs: 1500 }, L).waitTimeoutMs).toBe(1500);
  });

  it.each([
    [{ maxItems: 0 }, 'maxItems'],
    [{ maxItems: 200_001 }, 'maxItems'],
    [{ waitTimeoutMs: 3_600_001 }, 'waitTimeoutMs'],
    [{ autoAck: 'yes' }, 'autoAck'],
    [{ channel: 'q.>' }, 'channel'],
  ])('rejects %j', (extra, field) => {
    expect(validationField(() => validatePoll({ channel: 'q', ...extra }, L))).toBe(field);
  });
});

describe('options it does not know are refused, not ignored', () => {
  const refusal = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err) {
      return `${(err as { field: string }).field}: ${(err as Error).message}`;
    }
    throw new Error('nothing was thrown');
  };

  it.each([
    // kubemq-js's names, and the unit that differs between receive() and poll().
    ['receive', () => validateReceive({ channel: 'q', maxNumberOfMessages: 10 }, L), 'maxNumberOfMessages: invalid maxNumberOfMessages: is not an option here: use maxItems'],
    ['receive', () => validateReceive({ channel: 'q', waitTimeoutMs: 4000 }, L), 'waitTimeoutMs: invalid waitTimeoutMs: is not an option here: use waitTimeoutSeconds (whole seconds: the broker counts seconds here)'],
    // 0.1 mixed the call options into the first argument.
    ['receive', () => validateReceive({ channel: 'q', timeoutMs: 5000 }, L), 'timeoutMs: invalid timeoutMs: is not an option here: use { timeoutMs } in the call options (the second argument)'],
    ['purge', () => validatePurge({ channel: 'q', waitTimeoutMs: 1000 }, L), 'waitTimeoutMs: invalid waitTimeoutMs: is not an option here: use waitTimeoutSeconds (whole seconds: the broker counts seconds here)'],
    ['purge', () => validatePurge({ channel: 'q', maxItems: 1 }, L), 'maxItems: invalid maxItems: is not an option here (the options are channel, waitTimeoutSeconds)'],
    ['poll', () => validatePoll({ channel: 'q', waitTimeoutSeconds: 4 }, L), 'waitTimeoutSeconds: invalid waitTimeoutSeconds: is not an option here: use waitTimeoutMs (milliseconds: the broker counts ms here)'],
    ['poll', () => validatePoll({ channel: 'q', maxNumberOfMessages: 10 }, L), 'maxNumberOfMessages: invalid maxNumberOfMessages: is not an option here: use maxItems'],
    ['poll', () => validatePoll({ channel: 'q', visibilitySeconds: 30 }, L), 'visibilitySeconds: invalid visibilitySeconds: is not an option here (the options are channel, maxItems, waitTimeoutMs, autoAck)'],
    ['requeue', () => validateRequeue({ channel: 'q', queue: 'other' }), 'queue: invalid queue: is not an option here (the options are channel)'],
    ['limits', () => validateLimits({ maxReceiveMessages: 10 }), 'limits.maxReceiveMessages: invalid limits.maxReceiveMessages: is not a queue limit: use maxReceiveItems'],
    ['policy', () => toWireMessage(msg({ policy: { delayMs: 5000 } }), '', 'c', L), 'policy.delayMs: invalid policy.delayMs: is not an option here: use delaySeconds (whole seconds)'],
    ['policy', () => toWireMessage(msg({ policy: { maxReceiveQueue: 'dlq' } }), '', 'c', L), 'policy.maxReceiveQueue: invalid policy.maxReceiveQueue: is not an option here: use deadLetterQueue'],
  ])('%s: %s', (_call, fn, expected) => {
    expect(refusal(fn)).toBe(expected);
  });

  it('takes a known option given as undefined as not given', () => {
    expect(validateReceive({ channel: 'q', maxItems: undefined, waitTimeoutSeconds: undefined }, L)).toEqual({ channel: 'q', maxItems: 1, waitSeconds: 1 });
    expect(validatePurge({ channel: 'q', waitTimeoutSeconds: undefined }, L)).toEqual({ channel: 'q', waitSeconds: 1 });
    expect(validatePoll({ channel: 'q', maxItems: undefined, waitTimeoutMs: undefined, autoAck: undefined }, L)).toEqual({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000, autoAck: false });
  });

  it('refuses an array or null where the options go', () => {
    expect(refusal(() => validatePoll([], L))).toBe('options: invalid options: must be an object (got array)');
    expect(refusal(() => validateReceive(null, L))).toBe('options: invalid options: must be an object (got null)');
  });
});

describe('queue limits', () => {
  it('fills in the defaults and takes whole numbers', () => {
    expect(validateLimits(undefined)).toEqual(DEFAULT_QUEUE_LIMITS);
    expect(validateLimits({ maxDelaySeconds: 86_400, maxReceiveCount: undefined })).toEqual({ ...DEFAULT_QUEUE_LIMITS, maxDelaySeconds: 86_400 });
    expect(validateLimits({ maxDelaySeconds: 0 }).maxDelaySeconds).toBe(0);
  });

  it('refuses what would turn a client-side check off or make every call invalid, and names that are no limit', () => {
    expect(validationField(() => validateLimits({ maxDelaySeconds: 'x' }))).toBe('limits.maxDelaySeconds');
    expect(validationField(() => validateLimits({ maxReceiveItems: Number.NaN }))).toBe('limits.maxReceiveItems');
    expect(validationField(() => validateLimits({ maxReceiveCount: 0 }))).toBe('limits.maxReceiveCount');
    expect(validationField(() => validateLimits({ maxPollWaitMs: 500 }))).toBe('limits.maxPollWaitMs');
    expect(validationField(() => validateLimits({ maxDelay: 100 }))).toBe('limits.maxDelay');
    expect(validationField(() => validateLimits(null))).toBe('limits');
  });
});

describe('info channels', () => {
  it('takes one name or a list of exact names', () => {
    expect(validateInfoChannels(undefined)).toEqual([]);
    expect(validateInfoChannels('a')).toEqual(['a']);
    expect(validateInfoChannels(['a', 'b.c'])).toEqual(['a', 'b.c']);
  });

  it('rejects separators and bad names', () => {
    expect(validationField(() => validateInfoChannels(['a', 'b;c']))).toBe('channels[1]');
    expect(validationField(() => validateInfoChannels(['a', '']))).toBe('channels[1]');
    expect(validationField(() => validateInfoChannels(3))).toBe('channels');
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
    expect(validationField(() => validateSequences(value, known))).toBe(field);
  });
});
