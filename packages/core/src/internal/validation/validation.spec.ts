import fc from 'fast-check';
import { ValidationError } from '../errors/kubemq-error.js';
import { validateChannel, validateGroup, type ChannelPattern } from './channel.js';
import { validateClientId } from './client-id.js';
import { requireNonEmptyMessage, validateBody, validateMetadata, validateTags } from './message.js';
import { validatePositiveInt, validateSignal } from './numbers.js';
import { requireIdText } from './text-rules.js';
import { requireKnownKeys } from './known-keys.js';
import { optionsObject, requireObject } from './options-object.js';
import { closedOptions } from './closed-options.js';
import { readCallOptions } from './call-options.js';
import { checked } from './fail.js';

/** Runs `fn`, expects a ValidationError naming `field`, returns its message. */
function rejects(fn: () => unknown, field: string): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).field).toBe(field);
    expect((err as ValidationError).retryable).toBe(false);
    return (err as ValidationError).message;
  }
  throw new Error('expected a ValidationError');
}

const ALL: ChannelPattern[] = ['events', 'events_store', 'commands', 'queries', 'queues'];

describe('validateChannel', () => {
  it.each(ALL)('accepts a plain dotted name for %s', (pattern) => {
    expect(validateChannel('orders.eu-1_x', { pattern })).toBe('orders.eu-1_x');
  });

  it('rejects non-strings and the empty string', () => {
    expect(rejects(() => validateChannel(undefined, { pattern: 'events' }), 'channel')).toMatch(/must be a string/);
    expect(rejects(() => validateChannel(42, { pattern: 'events' }), 'channel')).toMatch(/must be a string/);
    expect(rejects(() => validateChannel('', { pattern: 'events' }), 'channel')).toMatch(/cannot be empty/);
  });

  it('names the caller field', () => {
    rejects(() => validateChannel('', { pattern: 'queues', field: 'policy.deadLetterQueue' }), 'policy.deadLetterQueue');
  });

  it.each(['a b', 'a\u00a0b', 'a\u2028b', 'a\u3000b'])('rejects whitespace %j in every pattern', (name) => {
    for (const pattern of ALL) expect(rejects(() => validateChannel(name, { pattern }), 'channel')).toMatch(/whitespace/);
  });

  it.each(['a\tb', 'a\rb', 'a\nb', 'a\u0000b', 'a\u001fb', 'a\u007fb', 'a\u0085b', 'a\u009fb'])(
    'rejects control character %j in every pattern (a tab breaks the events store)',
    (name) => {
      for (const pattern of ALL) expect(rejects(() => validateChannel(name, { pattern }), 'channel')).toMatch(/control character U\+00/);
    },
  );

  it('rejects a trailing dot', () => {
    for (const pattern of ALL) expect(rejects(() => validateChannel('a.', { pattern }), 'channel')).toMatch(/end with '.'/);
  });

  it('allows wildcards only where asked and only as whole tokens', () => {
    expect(validateChannel('a.*.c', { pattern: 'events', allowWildcards: true })).toBe('a.*.c');
    expect(validateChannel('a.>', { pattern: 'commands', allowWildcards: true })).toBe('a.>');
    expect(validateChannel('>', { pattern: 'queries', allowWildcards: true })).toBe('>');
    expect(rejects(() => validateChannel('a.*', { pattern: 'events' }), 'channel')).toMatch(/wildcards/);
    expect(rejects(() => validateChannel('a.>', { pattern: 'events_store', allowWildcards: true }), 'channel')).toMatch(/wildcards/);
    expect(rejects(() => validateChannel('a.*', { pattern: 'queues', allowWildcards: true }), 'channel')).toMatch(/wildcards/);
    expect(rejects(() => validateChannel('a.>.b', { pattern: 'events', allowWildcards: true }), 'channel')).toMatch(/last token/);
    expect(rejects(() => validateChannel('a*', { pattern: 'events', allowWildcards: true }), 'channel')).toMatch(/whole token/);
  });

  it('applies the NATS Streaming rules to events_store and queues only', () => {
    for (const pattern of ['events_store', 'queues'] as const) {
      expect(rejects(() => validateChannel('a/b', { pattern }), 'channel')).toMatch(/'\/'/);
      expect(rejects(() => validateChannel('a..b', { pattern }), 'channel')).toMatch(/empty token/);
      expect(rejects(() => validateChannel('.a', { pattern }), 'channel')).toMatch(/empty token/);
    }
    expect(validateChannel('a/b', { pattern: 'events' })).toBe('a/b');
    expect(validateChannel('a..b', { pattern: 'commands' })).toBe('a..b');
  });

  it('refuses an empty token in a subscription to events, commands or queries (a NATS subject), not in a send', () => {
    for (const pattern of ['events', 'commands', 'queries'] as const) {
      expect(rejects(() => validateChannel('a..b', { pattern, allowWildcards: true }), 'channel')).toMatch(/empty token/);
      expect(rejects(() => validateChannel('.a.*', { pattern, allowWildcards: true }), 'channel')).toMatch(/empty token/);
      expect(validateChannel('a..b', { pattern })).toBe('a..b');
    }
  });

  it('bounds stan channel names in bytes: 240 for the events store, 246 for queues', () => {
    expect(validateChannel('x'.repeat(240), { pattern: 'events_store' })).toHaveLength(240);
    expect(rejects(() => validateChannel('x'.repeat(241), { pattern: 'events_store' }), 'channel')).toMatch(/241 bytes/);
    expect(validateChannel('x'.repeat(246), { pattern: 'queues' })).toHaveLength(246);
    // A queue's consumers are a stan durable queue group named after it, which cannot hold ':'.
    expect(rejects(() => validateChannel('tenant:orders', { pattern: 'queues', field: 'policy.deadLetterQueue' }), 'policy.deadLetterQueue')).toMatch(/':'/);
    expect(validateChannel('tenant:orders', { pattern: 'events_store' })).toBe('tenant:orders');
    // Such a queue may exist (another client sent to it): deleting it is allowed, and that pass
    // does not let the name through where it is refused.
    expect(validateChannel('tenant:orders', { pattern: 'queues', existing: true })).toBe('tenant:orders');
    expect(rejects(() => validateChannel('tenant:orders', { pattern: 'queues' }), 'channel')).toMatch(/':'/);
    expect(rejects(() => validateChannel('é'.repeat(124), { pattern: 'queues' }), 'channel')).toMatch(/248 bytes/);
    expect(validateChannel('x'.repeat(1000), { pattern: 'events' })).toHaveLength(1000);
  });

  it('bounds events, commands and queries channels at 3840 bytes: the broker sends them over NATS, whose protocol lines stop at 4096', () => {
    for (const pattern of ['events', 'commands', 'queries'] as const) {
      expect(validateChannel('x'.repeat(3840), { pattern })).toHaveLength(3840);
      expect(rejects(() => validateChannel('x'.repeat(3841), { pattern, allowWildcards: true }), 'channel')).toMatch(/3841 bytes/);
    }
  });

  it("rejects ':' in an events-store channel subscribed with a group", () => {
    expect(validateChannel('a:b', { pattern: 'events_store' })).toBe('a:b');
    expect(rejects(() => validateChannel('a:b', { pattern: 'events_store', withGroup: true }), 'channel')).toMatch(/':'/);
    expect(validateChannel('a:b', { pattern: 'events', withGroup: true })).toBe('a:b');
  });

  it("refuses a send to a name some servers route (';', a kind's prefix) for events, the events store and queues; receiving from one is allowed", () => {
    for (const pattern of ['events', 'events_store', 'queues'] as const) {
      expect(rejects(() => validateChannel('orders;audit', { pattern, sending: true }), 'channel')).toMatch(/';'/);
      for (const prefix of ['events:', 'events_store:', 'queues:', 'route:']) {
        expect(rejects(() => validateChannel(`${prefix}orders`, { pattern, sending: true }), 'channel')).toMatch(new RegExp(`'${prefix}'`));
      }
      expect(validateChannel('orders;audit', { pattern })).toBe('orders;audit'); // a receive or a subscription
    }
    expect(validateChannel('a;b.>', { pattern: 'events', allowWildcards: true })).toBe('a;b.>');
    // Only a prefix routes: a ':' elsewhere stays part of an events name on every server.
    expect(validateChannel('tenant:events:x', { pattern: 'events', sending: true })).toBe('tenant:events:x');
    expect(validateChannel('eventsx:y', { pattern: 'events_store', sending: true })).toBe('eventsx:y');
    for (const pattern of ['commands', 'queries'] as const) {
      expect(validateChannel('a;b', { pattern, sending: true })).toBe('a;b');
      expect(validateChannel('events:x', { pattern, sending: true })).toBe('events:x');
    }
  });

  it('remembers a passed name only for the rules it passed: the same name is checked again under others', () => {
    expect(validateChannel('orders.*', { pattern: 'events', allowWildcards: true })).toBe('orders.*');
    expect(rejects(() => validateChannel('orders.*', { pattern: 'events' }), 'channel')).toMatch(/wildcards/);
    expect(rejects(() => validateChannel('orders.*', { pattern: 'queues', allowWildcards: true }), 'channel')).toMatch(/wildcards/);
    const long = 'x'.repeat(241);
    expect(validateChannel(long, { pattern: 'events' })).toBe(long);
    expect(rejects(() => validateChannel(long, { pattern: 'events_store' }), 'channel')).toMatch(/241 bytes/);
    expect(validateChannel('s:t', { pattern: 'events_store' })).toBe('s:t');
    expect(rejects(() => validateChannel('s:t', { pattern: 'events_store', withGroup: true, field: 'sub.channel' }), 'sub.channel')).toMatch(/':'/);
  });

  it('still rejects every bad name after many good ones (the memo is bounded and holds passed names only)', () => {
    for (let i = 0; i < 2000; i++) expect(validateChannel(`jobs.${i}`, { pattern: 'queues' })).toBe(`jobs.${i}`);
    expect(validateChannel('jobs.1999', { pattern: 'queues' })).toBe('jobs.1999');
    // Each bad name twice: a rejected name is never remembered as passed.
    for (const bad of ['jobs. 1', 'jobs.', 'jobs..1', 'jobs/1', 'jobs.*']) {
      expect(rejects(() => validateChannel(bad, { pattern: 'queues' }), 'channel')).toBeDefined();
      expect(rejects(() => validateChannel(bad, { pattern: 'queues' }), 'channel')).toBeDefined();
    }
  });

  it('property: any name holding a control or whitespace character is rejected', () => {
    const bad = fc.constantFrom(...'\t\n\r \u000b\u000c\u0000\u0007\u007f\u0080\u009f\u00a0\u2000\u3000'.split(''));
    fc.assert(
      fc.property(fc.string(), bad, fc.string(), fc.constantFrom(...ALL), (pre, c, post, pattern) => {
        expect(() => validateChannel(`${pre}${c}${post}`, { pattern, allowWildcards: true })).toThrow(ValidationError);
      }),
    );
  });

  it('property: safe names are returned unchanged', () => {
    const token = fc.stringMatching(/^[a-zA-Z0-9_-]{1,10}$/);
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 5 }), fc.constantFrom(...ALL), (tokens, pattern) => {
        const name = tokens.join('.');
        expect(validateChannel(name, { pattern })).toBe(name);
      }),
    );
  });
});

describe('validateGroup', () => {
  it('treats absent and empty as no group', () => {
    expect(validateGroup(undefined, { pattern: 'events' })).toBe('');
    expect(validateGroup('', { pattern: 'events' })).toBe('');
  });
  it('rejects whitespace, control characters and, in the events store, ":"', () => {
    rejects(() => validateGroup('a b', { pattern: 'events' }), 'group');
    rejects(() => validateGroup('a\tb', { pattern: 'queries', field: 'opts.group' }), 'opts.group');
    expect(rejects(() => validateGroup('a:b', { pattern: 'events_store' }), 'group')).toMatch(/':'/);
    expect(validateGroup('a:b', { pattern: 'events' })).toBe('a:b');
  });
  it('bounds a group and its channel together at 3840 bytes for events, commands and queries (one NATS line)', () => {
    expect(validateGroup('g'.repeat(840), { pattern: 'commands', channel: 'c'.repeat(3000) })).toHaveLength(840);
    expect(rejects(() => validateGroup('g'.repeat(841), { pattern: 'events', channel: 'c'.repeat(3000) }), 'group')).toMatch(/3841 bytes/);
    expect(validateGroup('g'.repeat(3000), { pattern: 'events_store', channel: 'c'.repeat(3000) })).toHaveLength(3000);
  });
});

describe('validateClientId', () => {
  it('requires a non-empty token', () => {
    expect(validateClientId('svc.1')).toBe('svc.1');
    rejects(() => validateClientId(''), 'clientId');
    rejects(() => validateClientId('a b'), 'clientId');
    rejects(() => validateClientId('a\nb', { field: 'options.clientId' }), 'options.clientId');
  });
  it('strict: only letters, digits, - and _ (events store)', () => {
    expect(validateClientId('a-B_9', { strict: true })).toBe('a-B_9');
    expect(rejects(() => validateClientId('svc.1', { strict: true }), 'clientId')).toMatch(/letters, digits/);
  });
});

describe('message parts', () => {
  it('validateBody: strings as UTF-8, bytes as is, absent as empty', () => {
    expect(validateBody('hé')).toEqual(new Uint8Array([0x68, 0xc3, 0xa9]));
    const bytes = new Uint8Array([1, 2]);
    expect(validateBody(bytes)).toBe(bytes);
    expect(validateBody(Buffer.from('x'))).toEqual(Buffer.from('x'));
    expect(validateBody(undefined)).toEqual(new Uint8Array(0));
    expect(rejects(() => validateBody(12), 'body')).toMatch(/got number/);
    rejects(() => validateBody({ a: 1 }, 'reply.body'), 'reply.body');
  });

  it('validateBody: refuses a body over the size limit, naming the field and both sizes', () => {
    expect(validateBody('abc', 'body', 3)).toHaveLength(3);
    expect(rejects(() => validateBody('abcd', 'body', 3), 'body')).toMatch(/4 bytes.*maxMessageBytes \(3\)/);
    rejects(() => validateBody(new Uint8Array(10), 'messages[2].body', 9), 'messages[2].body');
  });

  it('text must be well-formed UTF-16: a lone surrogate would reach the broker as U+FFFD', () => {
    const high = '\uD800';
    const low = '\uDC00';
    expect(validateBody('😀')).toHaveLength(4);
    expect(rejects(() => validateBody(`a${high}`), 'body')).toMatch(/lone surrogate U\+D800 at index 1/);
    rejects(() => validateMetadata(low), 'metadata');
    rejects(() => validateTags({ k: `${low}${high}` }), 'tags.k');
    rejects(() => validateTags({ [high]: 'v' }), `tags.${high}`);
    rejects(() => validateChannel(`q${high}b`, { pattern: 'queues' }), 'channel');
    expect(validateChannel('emoji.😀', { pattern: 'events' })).toBe('emoji.😀');
  });

  it('validateTags: string values only, naming the bad key', () => {
    expect(validateTags({ a: '1' })).toEqual({ a: '1' });
    expect(validateTags(undefined)).toEqual({});
    rejects(() => validateTags({ foo: 1 }), 'tags.foo');
    rejects(() => validateTags({ '': 'x' }), 'tags');
    rejects(() => validateTags(['a']), 'tags');
    rejects(() => validateTags(new Map()), 'tags');
    rejects(() => validateTags('a=b', 'headers'), 'headers');
    // An own `__proto__` key (from JSON.parse, say) cannot survive a JavaScript receiver.
    expect(rejects(() => validateTags(JSON.parse('{"__proto__":"x"}')), 'tags.__proto__')).toMatch(/reserved/);
  });

  it('validateMetadata: a string or nothing', () => {
    expect(validateMetadata('m')).toBe('m');
    expect(validateMetadata(undefined)).toBe('');
    rejects(() => validateMetadata(5), 'metadata');
  });

  it('requireNonEmptyMessage: body or metadata (the broker Error 110 rule)', () => {
    expect(() => requireNonEmptyMessage(new Uint8Array([1]), '')).not.toThrow();
    expect(() => requireNonEmptyMessage(new Uint8Array(0), 'm')).not.toThrow();
    expect(rejects(() => requireNonEmptyMessage(new Uint8Array(0), ''), 'body')).toMatch(/cannot both be empty/);
  });
});

describe('numbers and signals', () => {
  it('validatePositiveInt', () => {
    expect(validatePositiveInt(5, 'n')).toBe(5);
    expect(validatePositiveInt(0, 'n', { min: 0 })).toBe(0);
    expect(validatePositiveInt(1.5, 'n', { integer: false })).toBe(1.5);
    expect(rejects(() => validatePositiveInt(0, 'maxItems'), 'maxItems')).toMatch(/at least 1/);
    expect(rejects(() => validatePositiveInt(1025, 'maxItems', { max: 1024 }), 'maxItems')).toMatch(/at most 1024/);
    expect(rejects(() => validatePositiveInt(1.5, 'n'), 'n')).toMatch(/integer/);
    expect(rejects(() => validatePositiveInt(NaN, 'n'), 'n')).toMatch(/finite/);
    expect(rejects(() => validatePositiveInt('5', 'n'), 'n')).toMatch(/finite/);
  });

  it('validateSignal', () => {
    const signal = new AbortController().signal;
    expect(validateSignal(signal)).toBe(signal);
    expect(validateSignal(undefined)).toBeUndefined();
    rejects(() => validateSignal({ aborted: false }), 'signal');
  });
});

describe('requireIdText', () => {
  it('takes any non-empty well-formed text without control characters, spaces and emoji included', () => {
    expect(requireIdText('order 42 \u{1F600}', 'id')).toBe('order 42 \u{1F600}');
  });

  it.each([
    ['a number', 42, /must be a string/],
    ['empty', '', /cannot be empty/],
    ['a NUL', 'a\u0000b', /control character U\+0000 at index 1/],
    ['a C1 control', 'a\u0085', /control character U\+0085/],
    ['a lone high surrogate', 'job-\uD800', /lone surrogate U\+D800 at index 4/],
    ['a lone low surrogate', '\uDC00x', /lone surrogate U\+DC00 at index 0/],
  ])('refuses %s', (_what, value, problem) => {
    expect(() => requireIdText(value, 'id')).toThrow(ValidationError);
    expect(() => requireIdText(value, 'id')).toThrow(problem);
  });
});

describe('requireKnownKeys', () => {
  it('passes known keys, and names an unknown one with the known ones', () => {
    expect(() => requireKnownKeys({ a: 1, b: undefined }, ['a', 'b'], 'policy')).not.toThrow();
    expect(() => requireKnownKeys({ a: 1, maxReceiveQueue: 'x' }, ['a', 'b'], 'policy')).toThrow(
      'invalid policy.maxReceiveQueue: is not an option here (the options are a, b)',
    );
    expect(() => requireKnownKeys({ startPosition: 1 }, ['startAt'], '')).toThrow(/^invalid startPosition:/);
  });

  it('names the key to use for a known other name, and only for its own keys', () => {
    const renamed = { maxNumberOfMessages: 'maxItems' };
    expect(() => requireKnownKeys({ channel: 'q', maxNumberOfMessages: 10 }, ['channel', 'maxItems'], '', renamed)).toThrow(
      'invalid maxNumberOfMessages: is not an option here: use maxItems',
    );
    expect(() => requireKnownKeys({ toString: 1 }, ['channel'], '', renamed)).toThrow('invalid toString: is not an option here (the options are channel)');
    expect(() => requireKnownKeys({ channel: 'q', maxItems: undefined }, ['channel', 'maxItems'], '', renamed)).not.toThrow();
  });
});

describe('optionsObject', () => {
  it('takes absent options as {}, and refuses what a spread would turn into {} (a number, an array) naming the call', () => {
    expect(optionsObject(undefined, 'queues.poll')).toEqual({});
    for (const [value, got] of [[5, 'number'], [null, 'null'], ['x', 'string'], [[], 'array']] as const) {
      expect(() => optionsObject(value as never, 'queues.poll')).toThrow(
        expect.objectContaining({ operation: 'queues.poll', field: 'options', message: `invalid options: must be an object (got ${got})` }),
      );
    }
  });
});

describe('requireObject', () => {
  it('returns an object, and refuses anything else, undefined included, naming the field and the call', () => {
    const message = { channel: 'q' };
    expect(requireObject(message, 'message')).toBe(message);
    for (const [value, got] of [[undefined, 'undefined'], [5, 'number'], [null, 'null'], ['x', 'string'], [[], 'array']] as const) {
      expect(() => requireObject(value, 'messages[2]')).toThrow(
        expect.objectContaining({ operation: 'validate', field: 'messages[2]', message: `invalid messages[2]: must be an object (got ${got})` }),
      );
    }
    expect(() => requireObject(null, 'reply', 'commands.reply')).toThrow(expect.objectContaining({ operation: 'commands.reply', field: 'reply' }));
  });
});

describe('closedOptions', () => {
  const renamed = { batchSize: 'maxItems' };

  it('takes absent options as {}, and returns given ones as they are', () => {
    expect(closedOptions(undefined, 'queues', ['limits'])).toEqual({});
    const given = { maxItems: 3, channel: undefined };
    expect(closedOptions(given, 'queues.consume', ['channel', 'maxItems'], renamed)).toBe(given);
  });

  it('refuses what is no object as optionsObject() does, and undefined too where the options are required', () => {
    for (const [value, got] of [[5, 'number'], [null, 'null'], [[], 'array']] as const) {
      expect(() => closedOptions(value, 'events', ['sendMode'])).toThrow(
        expect.objectContaining({ operation: 'events', field: 'options', message: `invalid options: must be an object (got ${got})` }),
      );
    }
    expect(() => closedOptions(undefined, 'events.subscribe', ['channel'], undefined, { required: true })).toThrow(
      expect.objectContaining({ operation: 'events.subscribe', field: 'options', message: 'invalid options: must be an object (got undefined)' }),
    );
    expect(() => closedOptions('x', 'queues.info', ['channels'], undefined, { field: 'callOptions' })).toThrow(
      expect.objectContaining({ field: 'callOptions', message: 'invalid callOptions: must be an object (got string)' }),
    );
  });

  it('refuses a key it does not know, naming the call and the one to use for a known other name', () => {
    expect(() => closedOptions({ batchSize: 5 }, 'queues.consume', ['channel', 'maxItems'], renamed)).toThrow(
      expect.objectContaining({ operation: 'queues.consume', field: 'batchSize', channel: undefined, message: 'invalid batchSize: is not an option here: use maxItems' }),
    );
    expect(() => closedOptions({ sendMode: 'stream', retries: undefined }, 'events', ['sendMode'])).toThrow(
      expect.objectContaining({ operation: 'events', field: 'retries', message: 'invalid retries: is not an option here (the options are sendMode)' }),
    );
  });
});

describe('readCallOptions', () => {
  it('returns the signal and timeoutMs, absent or given as undefined taken as not given', () => {
    const signal = new AbortController().signal;
    expect(readCallOptions(undefined, 'client.ping')).toEqual({ signal: undefined, timeoutMs: undefined });
    expect(readCallOptions({ signal, timeoutMs: 0 }, 'client.ping')).toEqual({ signal, timeoutMs: 0 });
    expect(readCallOptions({ signal: undefined, timeoutMs: undefined }, 'client.ping')).toEqual({ signal: undefined, timeoutMs: undefined });
  });

  it('refuses what is no object, naming the call and the argument', () => {
    for (const [value, got] of [[5, 'number'], [null, 'null'], ['x', 'string'], [[], 'array']] as const) {
      expect(() => readCallOptions(value as never, 'queues.receive', 'callOptions')).toThrow(
        expect.objectContaining({ operation: 'queues.receive', field: 'callOptions', message: `invalid callOptions: must be an object (got ${got})` }),
      );
    }
  });

  it('refuses a foreign key before anything is read, naming the one to use', () => {
    const hints = {
      timeout: 'timeoutMs (milliseconds)',
      timeoutSeconds: 'timeoutMs (milliseconds)',
      deadline: 'timeoutMs (milliseconds)',
      deadlineMs: 'timeoutMs (milliseconds)',
      timeOutMs: 'timeoutMs',
      timeoutMS: 'timeoutMs',
      abortSignal: 'signal',
    };
    for (const [key, use] of Object.entries(hints)) {
      expect(() => readCallOptions({ [key]: 5000 } as never, 'queues.send')).toThrow(
        expect.objectContaining({ operation: 'queues.send', field: key, message: `invalid ${key}: is not an option here: use ${use}` }),
      );
    }
    // Given as undefined, an unknown key is still refused: it is a name the caller wrote.
    expect(() => readCallOptions({ timeoutMs: 1000, retries: undefined } as never, 'client.ping')).toThrow(
      expect.objectContaining({ field: 'retries', message: 'invalid retries: is not an option here (the options are signal, timeoutMs)' }),
    );
  });

  it('refuses a signal that is no AbortSignal, naming the call', () => {
    expect(() => readCallOptions({ signal: 'abort' } as never, 'events.send')).toThrow(expect.objectContaining({ operation: 'events.send', field: 'signal' }));
  });
});

describe('checked', () => {
  const refuse = (): never => validatePositiveInt(-1, 'timeoutMs') as never;

  it('returns what the checks return', () => {
    expect(checked('events.send', 'orders', () => 7)).toBe(7);
  });

  it("names the public call and its channel instead of the inner 'validate'", () => {
    let caught: unknown;
    try {
      checked('events.send', 'orders', refuse);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect(caught).toMatchObject({ operation: 'events.send', channel: 'orders', field: 'timeoutMs' });
  });

  it('keeps an operation and channel the refusal already named, and ignores a channel that is not a name', () => {
    const named = new ValidationError({ message: 'invalid body: too big', operation: 'queues.send', channel: 'jobs', field: 'body' });
    expect(() => checked('queues.sendBatch', 'other', () => { throw named; })).toThrow(named);
    expect(() => checked('events.stream', 42, refuse)).toThrow(expect.objectContaining({ operation: 'events.stream', channel: undefined }));
  });

  it('lets any other error through as it is', () => {
    const boom = new TypeError('boom');
    expect(() => checked('events.send', 'orders', () => { throw boom; })).toThrow(boom);
  });
});
