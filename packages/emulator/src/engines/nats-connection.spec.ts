import { NATS_PREFIX, readPubChannel, SharedNatsConnection, subscribeLineTooLong } from './nats-connection.js';

describe('readPubChannel: the channel the NATS server reads from a publish line', () => {
  it('takes a plain channel as it is, with or without a reply inbox', () => {
    expect(readPubChannel(NATS_PREFIX.events, 'a.b', false)).toBe('a.b');
    expect(readPubChannel(NATS_PREFIX.commands, 'a.b', true)).toBe('a.b');
  });

  it('an event: a tab or CR ends the subject and the rest reads as a reply subject ([seen] `a<TAB>b` reaches `a`)', () => {
    expect(readPubChannel(NATS_PREFIX.events, 'a\tb', false)).toBe('a');
    expect(readPubChannel(NATS_PREFIX.events, 'a\rb', false)).toBe('a');
    expect(readPubChannel(NATS_PREFIX.events, '\ta', false)).toBe(''); // the prefix alone: nobody listens
  });

  it('is malformed with a line cut short by an LF, or with too many parts', () => {
    expect(readPubChannel(NATS_PREFIX.events, 'a\nb', false)).toBeUndefined();
    expect(readPubChannel(NATS_PREFIX.events, 'a\tb\nc', false)).toBeUndefined(); // `c <size>` then reads as the payload
    expect(readPubChannel(NATS_PREFIX.events, 'a\t\tb', false)).toBe('a'); // a run of tabs is one separator
    expect(readPubChannel(NATS_PREFIX.events, 'a\tb\tc', false)).toBeUndefined();
    // A request carries its reply inbox: any tab or CR in its channel makes four parts.
    expect(readPubChannel(NATS_PREFIX.queries, 'a\tb', true)).toBeUndefined();
    expect(readPubChannel(NATS_PREFIX.commands, 'a\rb', true)).toBeUndefined();
  });
});

describe('the NATS server\'s 4096-byte protocol line', () => {
  it('a publish whose line would be longer is malformed (it closes the shared connection)', () => {
    expect(readPubChannel(NATS_PREFIX.events, 'a'.repeat(4000), false)).toBe('a'.repeat(4000));
    expect(readPubChannel(NATS_PREFIX.events, 'a'.repeat(4090), false)).toBeUndefined();
    // A request's line also carries its reply inbox.
    expect(readPubChannel(NATS_PREFIX.commands, 'a'.repeat(4040), false)).toBe('a'.repeat(4040));
    expect(readPubChannel(NATS_PREFIX.commands, 'a'.repeat(4040), true)).toBeUndefined();
  });

  it('a subscription whose SUB line would be longer is never registered', () => {
    expect(subscribeLineTooLong(NATS_PREFIX.events, 'a'.repeat(3000), 'g'.repeat(1000))).toBe(false);
    expect(subscribeLineTooLong(NATS_PREFIX.events, 'a'.repeat(3000), 'g'.repeat(1100))).toBe(true);
  });
});

describe('SharedNatsConnection', () => {
  it('stays closed once a malformed line closed it', () => {
    const nats = new SharedNatsConnection();
    expect(nats.publish(NATS_PREFIX.events, 'a\tb', false)).toBe('a');
    expect(nats.up).toBe(true);
    expect(nats.publish(NATS_PREFIX.commands, 'x\ty', true)).toBeUndefined();
    expect(nats.up).toBe(false);
  });
});
