// docs/broker-behaviour.md §3 Validation rules and exact errors: every text of the table, for each
// operation where the table lists it, in the order the checks run.
import * as grpc from '@grpc/grpc-js';
import { expectedCapabilities, startKubemq } from '@kubemq/testing';
import { itSkipBecause, itWhen, sharedBroker } from '@kubemq/testing/jest';
import {
  QueuesDownstreamRequestType as DT,
  Request_RequestType as RT,
  StreamRequestType as SR,
  Subscribe_EventsStoreType as Start,
  Subscribe_SubscribeType as ST,
} from '@kubemq/emulator/wire';
import { ch, cid } from './support/naming.js';
import {
  ackAllQueue,
  closeAll,
  connect,
  downstream,
  eventsStream,
  grpcError,
  ping,
  queuesInfo,
  queueStreamV1,
  receiveQueue,
  sendEvent,
  sendQueueBatch,
  sendQueueMessage,
  sendRequest,
  sendResponse,
  subscribeEvents,
  subscribeRequests,
  upstream,
} from './support/raw.js';

afterAll(closeAll);

const E = {
  101: 'Error 101: invalid clientID value, cannot be empty',
  102: 'Error 102: invalid channel value, cannot be empty',
  107: 'Error 107: invalid channel value, no wildcards are allowed',
  108: 'Error 108: invalid channel value, no white spaces are allowed',
  109: 'Error 109: invalid set timeout value, cannot be 0 or negative',
  110: 'Error 110: invalid message, cannot be empty',
  115: 'Error 115: invalid request, cannot be empty',
  116: 'Error 116: invalid cache ttl value, cannot be 0 or negative',
  117: 'Error 117: invalid request id, cannot be empty',
  118: 'Error 118: event store parameters were set but subscribe type is not event store',
  119: 'Error 119: invalid channel value, cannot end with `.`',
  120: 'Error 120: invalid queue name value, cannot be empty, contains wildcards ,white spaces and end with dot',
  121: 'Error 121: cannot subscribe to a queue',
  122: 'Error 122: max messages should be between 1 and max message setting in kubemq config  ',
  125: 'Error 125: ack sequence cannot be 0 or negative',
  127: 'Error 127: invalid visibility time, cannot be negative or exceed setting in kubemq config',
  131: 'Error 131: invalid queue message',
  132: 'Error 132: invalid stream queue messages request type',
  133: 'Error 133: invalid expiration seconds, exceed max expiration seconds setting in kubemq config',
  134: 'Error 134: invalid max received count, cannot be negative or exceed max receive count setting in kubemq config',
  135: 'Error 135: invalid delay seconds, exceed max delay seconds setting in kubemq config',
  136: 'Error 136: invalid wait timeout, value cannot be negative or exceed max wait timeout seconds setting in kubemq config',
  206: 'Error 206: invalid request type',
  207: 'Error 207: invalid subscribe type',
} as const;

const body = Buffer.from('x');

describe('§3 Event / events-store send (INTERNAL status)', () => {
  for (const store of [false, true]) {
    const kind = store ? 'events-store' : 'event';
    const base = () => ({ ClientID: cid(), Channel: ch('s3.send'), Body: body, Store: store });
    const cases: Array<[string, keyof typeof E, Record<string, unknown>]> = [
      ['an empty ClientID', 101, { ClientID: '' }],
      ['an empty channel', 102, { Channel: '' }],
      ['a trailing dot', 119, { Channel: 'a.b.' }],
      ['a space', 108, { Channel: 'a b' }],
      ['a `*` wildcard', 107, { Channel: 'a.*' }],
      ['a `>` wildcard', 107, { Channel: 'a.>' }],
      ['empty Metadata and Body (Tags alone do not count)', 110, { Metadata: '', Body: Buffer.alloc(0), Tags: { k: 'v' } }],
      ['an empty ClientID and channel (ClientID is checked first)', 101, { ClientID: '', Channel: '' }],
      ['a trailing dot and a space (119 before 108)', 119, { Channel: 'a b.' }],
    ];
    for (const [what, code, patch] of cases) {
      it(`§3 ${kind} send: Error ${code} for ${what}`, async () => {
        const err = await grpcError(sendEvent(connect(), { ...base(), ...patch }));
        expect(err.code).toBe(grpc.status.INTERNAL);
        expect(err.details).toBe(E[code]);
      });
    }
  }

  it('§3 event send: Metadata alone (no Body) is a valid message', async () => {
    const r = await sendEvent(connect(), { ClientID: cid(), Channel: ch('s3.meta'), Metadata: 'only' });
    expect(r.Sent).toBe(true);
  });
});

describe('§3 Subscribe to events / events store (final stream status)', () => {
  const sub = (patch: Record<string, unknown>) =>
    subscribeEvents(connect(), { SubscribeTypeData: ST.Events, ClientID: cid(), Channel: ch('s3.sub'), ...patch }).end();
  const store = (patch: Record<string, unknown>) =>
    sub({ SubscribeTypeData: ST.EventsStore, EventsStoreTypeData: Start.StartFromFirst, ...patch });
  const cases: Array<[string, () => Promise<{ code: number; details: string }>, keyof typeof E | string]> = [
    ['events: Error 101 for an empty ClientID', () => sub({ ClientID: '' }), 101],
    ['events: Error 102 for an empty channel', () => sub({ Channel: '' }), 102],
    ['events: Error 119 for a trailing dot', () => sub({ Channel: 'a.' }), 119],
    ['events: Error 108 for a space', () => sub({ Channel: 'a b' }), 108],
    ['events: Error 118 when a store start type is set', () => sub({ EventsStoreTypeData: Start.StartFromFirst }), 118],
    ['events store: Error 101 for an empty ClientID', () => store({ ClientID: '' }), 101],
    ['events store: Error 102 for an empty channel', () => store({ Channel: '' }), 102],
    ['events store: Error 119 for a trailing dot', () => store({ Channel: 'a.' }), 119],
    ['events store: Error 108 for a space', () => store({ Channel: 'a b' }), 108],
    ['events store: Error 107 for a wildcard', () => store({ Channel: 'a.*' }), 107],
    ['events store: Error 111 for start type 0', () => store({ EventsStoreTypeData: 0 }), 'Error 111'],
    ['events store: Error 112 for StartAtSequence 0', () => store({ EventsStoreTypeData: Start.StartAtSequence, EventsStoreTypeValue: 0 }), 'Error 112'],
    ['events store: Error 113 for StartAtTime 0', () => store({ EventsStoreTypeData: Start.StartAtTime, EventsStoreTypeValue: 0 }), 'Error 113'],
    ['events store: Error 114 for StartAtTimeDelta 0', () => store({ EventsStoreTypeData: Start.StartAtTimeDelta, EventsStoreTypeValue: 0 }), 'Error 114'],
    ['Error 207 for a requests type on SubscribeToEvents', () => sub({ SubscribeTypeData: ST.Commands }), 207],
    ['Error 207 for type 0', () => sub({ SubscribeTypeData: 0 }), 207],
    // The server's handler switches on the subscribe type before any other check.
    ['Error 207 before Error 101 (a wrong type with an empty ClientID and channel)', () => sub({ SubscribeTypeData: 0, ClientID: '', Channel: '' }), 207],
  ];
  for (const [name, run, expected] of cases) {
    it(`§3 subscribe ${name}`, async () => {
      const end = await run();
      expect(end.code).toBe(grpc.status.INTERNAL);
      if (typeof expected === 'number') expect(end.details).toBe(E[expected]);
      else expect(end.details).toMatch(new RegExp(`^${expected}: .*`));
    });
  }

  it('§3 subscribe events store: a channel stan cannot store passes validation, then stan refuses it', async () => {
    for (const Channel of ['a..b', 'a/b']) expect(await store({ Channel })).toEqual({ code: grpc.status.INTERNAL, details: 'stan: invalid subject' });
  });

  it('§3 subscribe events: a channel with an empty token passes validation, then the NATS client refuses it', async () => {
    for (const Channel of ['a..b', '.a']) expect(await sub({ Channel })).toEqual({ code: grpc.status.INTERNAL, details: 'nats: invalid subject' });
  });

  it('§3 subscribe events: the NATS client refuses a tab, CR or LF in the channel, and white space in the group', async () => {
    for (const Channel of ['a\tb', 'a\rb', 'a\nb']) expect(await sub({ Channel })).toEqual({ code: grpc.status.INTERNAL, details: 'nats: invalid subject' });
    for (const Group of ['g 1', 'g\t1']) expect(await sub({ Group })).toEqual({ code: grpc.status.INTERNAL, details: 'nats: invalid queue name' });
  });

  it('§3 subscribe events store: Errors 112, 113 and 114 say `cannot by 0 or negative`', async () => {
    for (const type of [Start.StartAtSequence, Start.StartAtTime, Start.StartAtTimeDelta]) {
      const end = await store({ EventsStoreTypeData: type, EventsStoreTypeValue: -1 });
      expect(end.details).toMatch(/cannot by 0 or negative$/);
    }
  });
});

describe('§3 Command / query (INTERNAL status)', () => {
  for (const type of [RT.Command, RT.Query]) {
    const kind = type === RT.Command ? 'command' : 'query';
    const base = () => ({ ClientID: cid(), Channel: ch('s3.req'), RequestTypeData: type, Body: body, Timeout: 1000 });
    const cases: Array<[string, keyof typeof E, Record<string, unknown>]> = [
      ['an empty ClientID', 101, { ClientID: '' }],
      ['an empty channel', 102, { Channel: '' }],
      ['a trailing dot', 119, { Channel: 'a.' }],
      ['a space', 108, { Channel: 'a b' }],
      ['a wildcard', 107, { Channel: 'a.*' }],
      ['Timeout 0', 109, { Timeout: 0 }],
      ['a negative Timeout', 109, { Timeout: -5 }],
      ['an empty request', 115, { Body: Buffer.alloc(0), Metadata: '' }],
      ['a CacheKey without CacheTTL', 116, { CacheKey: 'k', CacheTTL: 0 }],
    ];
    for (const [what, code, patch] of cases) {
      it(`§3 ${kind}: Error ${code} for ${what}`, async () => {
        const err = await grpcError(sendRequest(connect(), { ...base(), ...patch }));
        expect(err.code).toBe(grpc.status.INTERNAL);
        expect(err.details).toBe(E[code]);
      });
    }
  }

  it('§3/§6 request: Error 206 for type 0 is checked first (even with an empty ClientID or a wildcard channel)', async () => {
    for (const patch of [{}, { ClientID: '' }, { Channel: 'a.*' }]) {
      const err = await grpcError(sendRequest(connect(), { ClientID: cid(), Channel: ch('s3.206'), Body: body, Timeout: 1000, ...patch }));
      expect(err.details).toBe(E[206]);
    }
  });
});

describe('§3 Subscribe to requests (wildcards allowed)', () => {
  const sub = (patch: Record<string, unknown>) =>
    subscribeRequests(connect(), { SubscribeTypeData: ST.Commands, ClientID: cid(), Channel: ch('s3.rsub'), ...patch }).end();
  for (const [what, code, patch] of [
    ['an empty ClientID', 101, { ClientID: '' }],
    ['an empty channel', 102, { Channel: '' }],
    ['a trailing dot', 119, { Channel: 'a.' }],
    ['a space', 108, { Channel: 'a b' }],
  ] as Array<[string, keyof typeof E, Record<string, unknown>]>) {
    it(`§3 subscribe to requests: Error ${code} for ${what}`, async () => {
      expect(await sub(patch)).toEqual({ code: grpc.status.INTERNAL, details: E[code] });
    });
  }

  it('§3 subscribe to requests: a channel with an empty token passes validation, then the NATS client refuses it', async () => {
    for (const SubscribeTypeData of [ST.Commands, ST.Queries]) {
      expect(await sub({ SubscribeTypeData, Channel: 'a..b' })).toEqual({ code: grpc.status.INTERNAL, details: 'nats: invalid subject' });
    }
  });

  it('§3 subscribe to requests: the NATS client refuses a tab in the channel, and white space in the group', async () => {
    expect(await sub({ Channel: 'a\tb' })).toEqual({ code: grpc.status.INTERNAL, details: 'nats: invalid subject' });
    expect(await sub({ Group: 'g 1' })).toEqual({ code: grpc.status.INTERNAL, details: 'nats: invalid queue name' });
  });

  it('§6 a queries subscription with store parameters set is accepted', async () => {
    const inbox = subscribeRequests(connect(), {
      SubscribeTypeData: ST.Queries,
      ClientID: cid(),
      Channel: ch('s6.qstore'),
      EventsStoreTypeData: Start.StartFromFirst,
      EventsStoreTypeValue: 5,
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(inbox.done).toBeUndefined();
    inbox.cancel();
  });
});

describe('§3 SendResponse (INTERNAL status)', () => {
  const base = () => ({ ClientID: cid(), RequestID: 'r1', ReplyChannel: ch('s3.reply') });
  for (const [what, code, patch] of [
    ['an empty ClientID', 101, { ClientID: '' }],
    ['an empty ReplyChannel', 102, { ReplyChannel: '' }],
    ['a ReplyChannel ending with a dot', 119, { ReplyChannel: 'a.' }],
    ['a ReplyChannel with a space', 108, { ReplyChannel: 'a b' }],
    ['a ReplyChannel with a wildcard', 107, { ReplyChannel: 'a.>' }],
    ['an empty RequestID', 117, { RequestID: '' }],
  ] as Array<[string, keyof typeof E, Record<string, unknown>]>) {
    it(`§3 SendResponse: Error ${code} for ${what}`, async () => {
      const err = await grpcError(sendResponse(connect(), { ...base(), ...patch }));
      expect(err.code).toBe(grpc.status.INTERNAL);
      expect(err.details).toBe(E[code]);
    });
  }
});

describe('§3 Queue message (payload errors)', () => {
  const base = () => ({ ClientID: cid(), Channel: ch('s3.q'), Body: body });
  const cases: Array<[string, keyof typeof E | string, Record<string, unknown>]> = [
    ['an empty ClientID', 101, { ClientID: '' }],
    ['an empty queue name', 120, { Channel: '' }],
    ['a wildcard queue name', 120, { Channel: 'q.*' }],
    ['a queue name with a space', 120, { Channel: 'q a' }],
    ['a queue name ending with a dot', 120, { Channel: 'q.' }],
    ['an empty message', 110, { Body: Buffer.alloc(0), Metadata: '' }],
    ['a negative expiration', 133, { Policy: { ExpirationSeconds: -1 } }],
    ['an expiration over 43200', 133, { Policy: { ExpirationSeconds: 43201 } }],
    ['a negative MaxReceiveCount', 134, { Policy: { MaxReceiveCount: -1 } }],
    ['a MaxReceiveCount over 1024', 134, { Policy: { MaxReceiveCount: 1025 } }],
    ['a delay over 43200', 135, { Policy: { DelaySeconds: 43201 } }],
    ['a negative delay', 135, { Policy: { DelaySeconds: -1 } }],
    ['a bad dead-letter queue name', 120, { Policy: { MaxReceiveCount: 3, MaxReceiveQueue: 'dl q' } }],
    ['a `/` in the queue name (stan)', 'stan: invalid publish request', { Channel: 'q/x' }],
    ['an empty token in the queue name (stan)', 'stan: invalid publish request', { Channel: 'q..x' }],
  ];
  for (const [what, expected, patch] of cases) {
    it(`§3 queue message: ${typeof expected === 'number' ? `Error ${expected}` : `\`${expected}\``} for ${what}`, async () => {
      const r = await sendQueueMessage(connect(), { ...base(), ...patch });
      expect(r.IsError).toBe(true);
      expect(r.Error).toBe(typeof expected === 'number' ? E[expected] : expected);
    });
  }

  // The delay's limit is proven on a broker of its own (§2.4): a message delayed 12 h would hold
  // one of the delay scan's places on a shared server for as long.
  it('§3 queue message: limits are inclusive (43200 s expiration, MaxReceiveCount 1024)', async () => {
    const r = await sendQueueMessage(connect(), {
      ...base(),
      Policy: { ExpirationSeconds: 43200, MaxReceiveCount: 1024, MaxReceiveQueue: ch('s3.dlq') },
    });
    expect(r).toMatchObject({ IsError: false, Error: '' });
  });

  it('§3 a 200-character queue name is accepted (no explicit maximum)', async () => {
    const name = ch('s3.long');
    const r = await sendQueueMessage(connect(), { ...base(), Channel: `${name}${'x'.repeat(200 - name.length)}` });
    expect(r.IsError).toBe(false);
  });
});

describe('§3 Receive / peek / AckAll (payload errors)', () => {
  const recv = (patch: Record<string, unknown>) =>
    receiveQueue(connect(), { ClientID: cid(), Channel: ch('s3.recv'), MaxNumberOfMessages: 1, WaitTimeSeconds: 1, ...patch });
  for (const peek of [false, true]) {
    const kind = peek ? 'peek' : 'receive';
    for (const [what, code, patch] of [
      ['an empty ClientID', 101, { ClientID: '' }],
      ['a bad queue name', 120, { Channel: 'a b' }],
      ['MaxNumberOfMessages 0', 122, { MaxNumberOfMessages: 0 }],
      ['MaxNumberOfMessages 1025', 122, { MaxNumberOfMessages: 1025 }],
      ['a negative WaitTimeSeconds', 136, { WaitTimeSeconds: -1 }],
      ['WaitTimeSeconds 3601', 136, { WaitTimeSeconds: 3601 }],
    ] as Array<[string, keyof typeof E, Record<string, unknown>]>) {
      it(`§3 ${kind}: Error ${code} for ${what}`, async () => {
        const r = await recv({ IsPeak: peek, ...patch });
        expect(r.IsError).toBe(true);
        expect(r.Error).toBe(E[code]);
      });
    }
  }

  for (const [what, code, patch] of [
    ['an empty ClientID', 101, { ClientID: '' }],
    ['a bad queue name', 120, { Channel: 'q.' }],
    ['WaitTimeSeconds 3601', 136, { WaitTimeSeconds: 3601 }],
  ] as Array<[string, keyof typeof E, Record<string, unknown>]>) {
    it(`§3 AckAll: Error ${code} for ${what}`, async () => {
      const r = await ackAllQueue(connect(), { ClientID: cid(), Channel: ch('s3.ackall'), WaitTimeSeconds: 1, ...patch });
      expect(r.IsError).toBe(true);
      expect(r.Error).toBe(E[code]);
    });
  }
});

describe('§3 a queue whose name holds a `:`', () => {
  // Its consumers would share the stan durable queue group `_QUEUES_.<q>`, and stan refuses a ':'
  // in the name of one (§2.2), so every consuming call fails to subscribe.
  const channel = `${ch('s3.colon')}:x`;

  it('§3 receive, peek and AckAll: Error 121', async () => {
    const c = connect();
    for (const peek of [false, true]) {
      const r = await receiveQueue(c, { ClientID: cid(), Channel: channel, MaxNumberOfMessages: 1, WaitTimeSeconds: 1, IsPeak: peek });
      expect(r).toMatchObject({ IsError: true, Error: E[121] });
    }
    expect(await ackAllQueue(c, { ClientID: cid(), Channel: channel, WaitTimeSeconds: 1 })).toMatchObject({ IsError: true, Error: E[121] });
  });

  it('§3 a QueuesDownstream Get: Error 121', async () => {
    const s = downstream(connect());
    const r = await s.request({ RequestID: 'colon', ClientID: cid(), Channel: channel, RequestTypeData: DT.Get, MaxItems: 1, WaitTimeout: 1000 });
    s.cancel();
    expect(r).toMatchObject({ IsError: true, Error: E[121] });
  });
});

/**
 * Newer stan (stan 0.25 in kubemq-io/broker, channelStore.checkCase) refuses to create a channel
 * whose lower-case name is taken: `_QUEUES_.Q` once `_QUEUES_.q` exists, `_EVENTS_STORE_.C` once
 * `_EVENTS_STORE_.c` does. Older revisions (stan 0.19) keep case variants as channels of their own.
 * Which one a server ships is not settled (§3 "Channel names"), so each test asks the broker once
 * and checks the behaviour of the revision it has; the emulator must refuse, as the less forgiving
 * one does.
 */
describe('§3 channel names that differ only in case from an existing one', () => {
  const refusal = (name: string, existing: string) =>
    `rejecting channel "${name}" because channel "${existing}" alreay exists (different cases not allowed)`;
  let refuses: boolean;

  beforeAll(async () => {
    const c = connect();
    const q = ch('s3.case.probe');
    expect((await sendQueueMessage(c, { ClientID: cid(), Channel: q, Body: body })).IsError).toBe(false);
    refuses = (await sendQueueMessage(c, { ClientID: cid(), Channel: q.toUpperCase(), Body: body })).IsError;
  });

  // Only the emulator's answer is fixed; a server's depends on its stan (the tests below check either).
  const itEmulator =
    sharedBroker().kind === 'emulator'
      ? it
      : itSkipBecause(`the ${sharedBroker().kind} broker may ship either store; the tests below check the one it has`);
  itEmulator('§3 the emulator refuses them, as the newer store does', () => {
    expect(refuses).toBe(true);
  });

  it('§2.4/§3 a queue: a send fails with stan\'s refusal (in a batch too), every consumer with Error 121, and only the first is listed; or, on an older store, they are two queues', async () => {
    const c = connect();
    const q = ch('s3.case.q');
    const Q = q.toUpperCase();
    expect((await sendQueueMessage(c, { ClientID: cid(), Channel: q, Body: body })).IsError).toBe(false);
    const sent = await sendQueueMessage(c, { ClientID: cid(), Channel: Q, Body: body });
    const batch = await sendQueueBatch(c, { BatchID: 'case', Messages: [{ ClientID: cid(), Channel: Q, Body: body }, { ClientID: cid(), Channel: q, Body: body }] });
    const info = async () => (await queuesInfo(c, { QueueName: `${q};${Q}` })).Info?.Queues ?? [];
    if (!refuses) {
      expect(sent).toMatchObject({ IsError: false, Error: '' });
      expect(batch).toMatchObject({ HaveErrors: false });
      const r = await receiveQueue(c, { ClientID: cid(), Channel: Q, MaxNumberOfMessages: 2, WaitTimeSeconds: 1 });
      expect(r).toMatchObject({ IsError: false, MessagesReceived: 2 });
      return;
    }
    expect(sent).toMatchObject({ IsError: true, Error: refusal(`_QUEUES_.${Q}`, `_QUEUES_.${q}`), SentAt: 0n });
    expect(batch.HaveErrors).toBe(true);
    expect(batch.Results.map((r) => [r.IsError, r.Error])).toEqual([
      [true, refusal(`_QUEUES_.${Q}`, `_QUEUES_.${q}`)],
      [false, ''],
    ]);
    for (const peek of [false, true]) {
      const r = await receiveQueue(c, { ClientID: cid(), Channel: Q, MaxNumberOfMessages: 1, WaitTimeSeconds: 1, IsPeak: peek });
      expect(r).toMatchObject({ IsError: true, Error: E[121] });
    }
    expect(await ackAllQueue(c, { ClientID: cid(), Channel: Q, WaitTimeSeconds: 1 })).toMatchObject({ IsError: true, Error: E[121] });
    const d = downstream(c);
    const got = await d.request({ RequestID: 'case', ClientID: cid(), Channel: Q, RequestTypeData: DT.Get, MaxItems: 1, WaitTimeout: 1000 });
    d.cancel();
    expect(got).toMatchObject({ IsError: true, Error: E[121] });
    const v1 = queueStreamV1(c);
    const r = await v1.request({ ClientID: cid(), Channel: Q, StreamRequestTypeData: SR.ReceiveMessage, WaitTimeSeconds: 1 });
    v1.cancel();
    expect(r).toMatchObject({ IsError: true, Error: E[121] });
    expect((await info()).map((x) => [x.Name, x.Messages])).toEqual([[q, 2n]]);
  });

  it('§2.4/§3 a queue a consumer created claims its name as a send would (on a refusing store)', async () => {
    const c = connect();
    const q = ch('s3.case.consumed');
    expect(await receiveQueue(c, { ClientID: cid(), Channel: q, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 })).toMatchObject({ IsError: false });
    const r = await sendQueueMessage(c, { ClientID: cid(), Channel: q.toUpperCase(), Body: body });
    expect(r).toMatchObject(refuses ? { IsError: true, Error: refusal(`_QUEUES_.${q.toUpperCase()}`, `_QUEUES_.${q}`) } : { IsError: false, Error: '' });
  });

  it('§2.2/§3 events store: a send answers Sent:true and is not stored; a subscription ends with INTERNAL and stan\'s refusal; or, on an older store, they are two channels', async () => {
    const c = connect();
    const channel = ch('s3.case.es');
    const variant = channel.toUpperCase();
    expect((await sendEvent(c, { ClientID: cid(), Channel: channel, Body: body, Store: true })).Sent).toBe(true);
    // The event is stored, so its channel exists, once a subscriber gets it.
    const first = subscribeEvents(c, { ClientID: cid(), Channel: channel, SubscribeTypeData: ST.EventsStore, EventsStoreTypeData: Start.StartFromFirst });
    await first.waitFor(1);
    first.cancel();
    expect(await sendEvent(c, { ClientID: cid(), Channel: variant, Body: body, Store: true })).toMatchObject({ Sent: true, Error: '' });
    const second = subscribeEvents(c, { ClientID: cid(), Channel: variant, SubscribeTypeData: ST.EventsStore, EventsStoreTypeData: Start.StartFromFirst });
    if (!refuses) {
      expect((await second.waitFor(1)).map((e) => e.Channel)).toEqual([variant]);
      second.cancel();
      return;
    }
    expect(await second.end()).toEqual({ code: grpc.status.INTERNAL, details: refusal(`_EVENTS_STORE_.${variant}`, `_EVENTS_STORE_.${channel}`) });
  });
});

describe('§3 StreamQueueMessage (payload errors)', () => {
  const one = async (req: Record<string, unknown>) => {
    const s = queueStreamV1(connect());
    const r = await s.request({ ClientID: cid(), Channel: ch('s3.v1'), ...req });
    s.cancel();
    return r;
  };
  for (const [what, code, req] of [
    ['an empty ClientID', 101, { ClientID: '', StreamRequestTypeData: SR.ReceiveMessage, WaitTimeSeconds: 1 }],
    ['Receive: a bad queue name', 120, { StreamRequestTypeData: SR.ReceiveMessage, Channel: 'a b', WaitTimeSeconds: 1 }],
    ['Receive: a negative visibility', 127, { StreamRequestTypeData: SR.ReceiveMessage, VisibilitySeconds: -1, WaitTimeSeconds: 1 }],
    ['Receive: visibility over 43200', 127, { StreamRequestTypeData: SR.ReceiveMessage, VisibilitySeconds: 43201, WaitTimeSeconds: 1 }],
    ['Receive: WaitTimeSeconds 3601', 136, { StreamRequestTypeData: SR.ReceiveMessage, WaitTimeSeconds: 3601 }],
    ['Ack with RefSequence 0', 125, { StreamRequestTypeData: SR.AckMessage, RefSequence: 0 }],
    ['Reject with RefSequence 0', 125, { StreamRequestTypeData: SR.RejectMessage, RefSequence: 0 }],
    ['Resend to a bad queue name', 120, { StreamRequestTypeData: SR.ResendMessage, Channel: 'a.*' }],
    ['SendModifiedMessage without a message', 131, { StreamRequestTypeData: SR.SendModifiedMessage }],
    ['an unknown request type', 132, { StreamRequestTypeData: 9 }],
  ] as Array<[string, keyof typeof E, Record<string, unknown>]>) {
    it(`§3 StreamQueueMessage: Error ${code} for ${what}`, async () => {
      const r = await one(req);
      expect(r.IsError).toBe(true);
      expect(r.Error).toBe(E[code]);
    });
  }

  it('§3 StreamQueueMessage: SendModifiedMessage checks the message and its policy', async () => {
    const r = await one({ StreamRequestTypeData: SR.SendModifiedMessage, ModifiedMessage: { ClientID: cid(), Channel: ch('s3.mod') } });
    expect(r.Error).toBe(E[110]);
    const p = await one({
      StreamRequestTypeData: SR.SendModifiedMessage,
      ModifiedMessage: { ClientID: cid(), Channel: ch('s3.mod'), Body: body, Policy: { DelaySeconds: 43201 } },
    });
    expect(p.Error).toBe(E[135]);
  });
});

describe('§3 ClientID and size', () => {
  it('§3 QueuesInfo needs no ClientID', async () => {
    const r = await queuesInfo(connect(), { RequestID: 'no-client' });
    expect(r.RefRequestID).toBe('no-client');
  });

  itWhen('restart', expectedCapabilities())(
    '§3 a gRPC message over GRPC_BODY_LIMIT is RESOURCE_EXHAUSTED (own broker with GRPC_BODY_LIMIT=65536)',
    async () => {
      await using broker = await startKubemq({ env: { GRPC_BODY_LIMIT: '65536' } });
      const c = connect(broker.address);
      const err = await grpcError(sendEvent(c, { ClientID: cid(), Channel: ch('s3.size'), Body: Buffer.alloc(100_000, 1) }));
      expect(err.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(err.details).toMatch(/^grpc: received message larger than max \(\d+ vs\. 65536\)$/);
      const ok = await sendEvent(c, { ClientID: cid(), Channel: ch('s3.size'), Body: Buffer.alloc(1000, 1) });
      expect(ok.Sent).toBe(true);
    },
  );

  itWhen('restart', expectedCapabilities())(
    '§3 SendEventsStream ends on a message over GRPC_BODY_LIMIT with INTERNAL around the reader\'s RESOURCE_EXHAUSTED, and nothing after it is answered (own broker with GRPC_BODY_LIMIT=65536)',
    async () => {
      await using broker = await startKubemq({ env: { GRPC_BODY_LIMIT: '65536' } });
      const stream = eventsStream(connect(broker.address));
      const channel = ch('s3.size.stream');
      const stored = (id: string) => ({ EventID: id, ClientID: cid(), Channel: channel, Body: Buffer.from(id), Store: true });
      expect(await stream.request(stored('first'))).toMatchObject({ EventID: 'first', Sent: true });
      stream.write({ ...stored('too-large'), Body: Buffer.alloc(100_000, 1) });
      stream.write(stored('after'));
      const end = await stream.end();
      expect(end.code).toBe(grpc.status.INTERNAL);
      expect(end.details).toMatch(/^rpc error: code = ResourceExhausted desc = grpc: received message larger than max \(\d+ vs\. 65536\)$/);
      expect(stream.items.map((r) => r.EventID)).toEqual(['first']);
    },
  );

  itWhen('restart', expectedCapabilities())(
    '§3 QueuesUpstream: a message over GRPC_BODY_LIMIT brings the broker down (own broker with GRPC_BODY_LIMIT=65536)',
    async () => {
      await using broker = await startKubemq({ env: { GRPC_BODY_LIMIT: '65536' } });
      const up = upstream(connect(broker.address));
      const channel = ch('s3.size.up');
      const batch = (id: string, bytes: number) => ({ RequestID: id, Messages: [{ MessageID: id, ClientID: cid(), Channel: channel, Body: Buffer.alloc(bytes, 1) }] });
      expect(await up.request(batch('first', 10))).toMatchObject({ RefRequestID: 'first', IsError: false });
      // Its reader hands the upstream's request task a nil request, which it dereferences.
      up.write(batch('too-large', 100_000));
      expect((await up.end(10_000)).code).toBe(grpc.status.UNAVAILABLE);
      expect((await grpcError(ping(connect(broker.address)))).code).toBe(grpc.status.UNAVAILABLE);
    },
  );
});
