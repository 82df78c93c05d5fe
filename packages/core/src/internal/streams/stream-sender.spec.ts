import { KubemqError, ValidationError } from '../errors/kubemq-error.js';
import type { BidiCall, ClientInternals, Drainable, StreamObserver } from '../connection/client-internals.js';
import type { MethodDescriptor } from '../transport/method-descriptor.js';
import { StreamSender, type AnswerMatcher, type SendEntry, type StreamEnding } from './stream-sender.js';

interface Req {
  id: string;
}
interface Res {
  id: string;
  error?: string;
}

/** A call that records writes; `room` writes fit before write() says the buffer is full. */
class Call implements BidiCall<Req> {
  readonly written: string[] = [];
  ended = false;
  cancelled = false;
  room = Number.POSITIVE_INFINITY;
  private drainWaiters: (() => void)[] = [];
  constructor(readonly observer: StreamObserver<Res>) {}
  get writable(): boolean {
    return !this.ended && !this.cancelled;
  }
  write(message: Req): boolean {
    if (!this.writable) throw new Error('write after end');
    this.written.push(message.id);
    return --this.room > 0;
  }
  drained(): Promise<void> {
    return this.room > 0 ? Promise.resolve() : new Promise((resolve) => this.drainWaiters.push(resolve));
  }
  drain(room = Number.POSITIVE_INFINITY): void {
    this.room = room;
    for (const wake of this.drainWaiters.splice(0)) wake();
  }
  end(): void {
    this.ended = true;
  }
  cancel(): void {
    this.cancelled = true;
  }
  answer(id: string, error?: string): void {
    this.observer.next({ id, ...(error !== undefined && { error }) });
  }
  break(retryable = true): void {
    this.cancelled = true;
    this.observer.error(new KubemqError({ code: retryable ? 'UNAVAILABLE' : 'AUTHENTICATION', message: 'lost', operation: 'x', retryable }));
  }
}

/** A client whose connection gets ready when `ready()` is called (or at once). */
function client(readyAtOnce = true) {
  const calls: Call[] = [];
  const tracked = new Set<Drainable>();
  const readyCalls: unknown[] = [];
  /** The waits for the connection still pending (each holds its caller until it ends). */
  const waiting = new Set<object>();
  let ready!: () => void;
  let refuse!: (err: unknown) => void;
  const whenReady = readyAtOnce
    ? Promise.resolve()
    : new Promise<void>((resolve, reject) => {
        ready = resolve;
        refuse = reject;
      });
  const internals = {
    options: { defaultTimeoutMs: 5_000, maxMessageBytes: 100 },
    accepting: true,
    acceptingSends: true,
    whenReady: (signal: AbortSignal | undefined, ctx: unknown) => {
      readyCalls.push(ctx);
      if (readyAtOnce) return whenReady;
      // Like the connection's: ends when it gets ready or closes, or when `signal` aborts.
      return new Promise<void>((resolve, reject) => {
        const wait = {};
        waiting.add(wait);
        const end = (settle: () => void) => () => {
          if (waiting.delete(wait)) settle();
        };
        whenReady.then(end(resolve), (err: unknown) => end(() => reject(err))());
        signal?.addEventListener('abort', end(() => reject(new KubemqError({ code: 'CANCELLED', message: 'aborted', operation: 'test.send' }))), { once: true });
      });
    },
    bidiStream: (_method: unknown, observer: StreamObserver<Res>) => {
      const call = new Call(observer);
      calls.push(call);
      return call;
    },
    track: (resource: Drainable) => {
      tracked.add(resource);
      return () => tracked.delete(resource);
    },
  } as unknown as ClientInternals & { accepting: boolean; acceptingSends: boolean };
  return { internals, calls, tracked, readyCalls, waiting, ready: () => ready(), refuse: (err: unknown) => refuse(err) };
}

/** Answers by id (a proof, '!n', is answered like any other request). */
class ById implements AnswerMatcher<Req, Res, string> {
  readonly pending = new Map<string, SendEntry<Req, string>>();
  readonly expiredIds: string[] = [];
  proofs = 0;
  burstWritten?: (write: (request: Req) => boolean) => void;
  get outstanding(): number {
    return this.pending.size;
  }
  written(entry: SendEntry<Req, string>): void {
    this.pending.set(entry.request.id, entry);
  }
  answer(res: Res): void {
    const entry = this.pending.get(res.id);
    if (!entry) return;
    this.pending.delete(res.id);
    if (res.error) entry.reject(new KubemqError({ code: 'BROKER', message: res.error, operation: 'op' }));
    else entry.resolve(`ok:${res.id}`);
  }
  fail(err: KubemqError, own?: (entry: SendEntry<Req, string>) => KubemqError | undefined): void {
    for (const entry of this.pending.values()) entry.reject(own?.(entry) ?? err);
    this.pending.clear();
  }
  expired(entry: SendEntry<Req, string>): void {
    this.expiredIds.push(entry.request.id);
    this.pending.delete(entry.request.id);
  }
}

/** A matcher with a proof, like the events stream's markers. */
class WithProof extends ById {
  proof(): Req {
    return { id: `!${++this.proofs}` };
  }
}

const METHOD = { path: '/kubemq.kubemq/Test' } as unknown as MethodDescriptor<Req, Res>;

/** A request's size is its id's length here. */
function checkSize(req: Req, maxBytes: number, limit: string): void {
  if (req.id.length > maxBytes) throw new ValidationError({ message: `${req.id} is over ${limit} (${maxBytes})`, operation: 'validate', field: 'req' });
}

function sender(internals: ClientInternals, opts: { ending?: StreamEnding; maxQueued?: number; matcher?: ById; sized?: boolean } = {}) {
  const matcher = opts.matcher ?? new ById();
  const stream = new StreamSender<Req, Res, string>(internals, {
    operation: 'test.send',
    method: METHOD,
    matcher,
    ending: opts.ending ?? 'server-ends',
    ...(opts.maxQueued !== undefined && { maxQueued: opts.maxQueued }),
    ...(opts.sized && { checkSize }),
    closedError: () => new KubemqError({ code: 'CLOSED', message: 'closed', operation: 'test.send' }),
    abandonedError: (written, cut) =>
      new KubemqError({ code: 'CLOSED', message: `${written ? 'unanswered' : 'unwritten'} (${cut ?? 'ended'})`, operation: 'test.send' }),
    brokenError: (err) => new KubemqError({ code: 'UNAVAILABLE', message: `broken: ${err.message}`, operation: 'test.send', retryable: true }),
  });
  return { stream, matcher };
}

const send = (stream: StreamSender<Req, Res, string>, id: string, bounds: { timeoutMs?: number; signal?: AbortSignal } = {}) =>
  stream.send({ id }, { timeoutMs: bounds.timeoutMs ?? 60_000, signal: bounds.signal, channel: 'ch' });

/**
 * Ends a test that left sends unanswered: the stream is cancelled, which fails them now. Left to
 * their 60 s deadline they would reject in whatever test file runs then (jest runs them all in one
 * process on a two-core machine) and fail it.
 */
async function closeNow(stream: StreamSender<Req, Res, string>, unanswered: Promise<unknown>[]): Promise<void> {
  void stream.close({ timeoutMs: 0 });
  const outcomes = await Promise.allSettled(unanswered);
  expect(outcomes.map((o) => o.status)).toEqual(unanswered.map(() => 'rejected'));
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('StreamSender', () => {
  it('opens one call once the client is ready and writes in order; each send gets its own answer', async () => {
    const c = client(false);
    const { stream } = sender(c.internals);
    const sends = ['a', 'b', 'c'].map((id) => send(stream, id));
    await settle();
    expect(c.calls).toHaveLength(0); // not before the connection is ready
    expect(stream.queued).toBe(3);
    c.ready();
    await settle();
    expect(c.calls).toHaveLength(1);
    const call = c.calls[0] as Call;
    expect(call.written).toEqual(['a', 'b', 'c']);
    call.answer('c');
    call.answer('a', 'refused');
    call.answer('b');
    await expect(Promise.allSettled(sends)).resolves.toEqual([
      { status: 'rejected', reason: expect.objectContaining({ code: 'BROKER', message: 'refused' }) },
      { status: 'fulfilled', value: 'ok:b' },
      { status: 'fulfilled', value: 'ok:c' },
    ]);
    expect(c.tracked.size).toBe(1); // the client's close() drains it
  });

  it('writes nothing more while the transport is full, and goes on in order once it drains', async () => {
    const c = client();
    const { stream } = sender(c.internals);
    const unanswered = [send(stream, 'a')];
    await settle();
    const call = c.calls[0] as Call;
    call.room = 2;
    for (const id of ['b', 'c', 'd', 'e']) unanswered.push(send(stream, id));
    await settle();
    expect(call.written).toEqual(['a', 'b', 'c']);
    expect(stream.writeNow({ id: 'now' })).toBe(false); // never ahead of the queue
    call.drain(1);
    await settle();
    expect(call.written).toEqual(['a', 'b', 'c', 'd']);
    call.drain();
    await settle();
    expect(call.written).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(stream.writeNow({ id: 'now' })).toBe(true);
    expect(call.written.at(-1)).toBe('now');
    await closeNow(stream, unanswered);
  });

  it('a break fails the sends in flight with brokenError, and what is still queued goes out on a new call', async () => {
    const c = client();
    const { stream } = sender(c.internals);
    const inFlight = send(stream, 'a');
    await settle();
    const first = c.calls[0] as Call;
    first.room = 1;
    const alsoInFlight = send(stream, 'b'); // written; the transport is full after it
    const queued = send(stream, 'c');
    await settle();
    expect(first.written).toEqual(['a', 'b']);
    first.break();
    await expect(inFlight).rejects.toMatchObject({ code: 'UNAVAILABLE', message: 'broken: lost', retryable: true });
    await expect(alsoInFlight).rejects.toMatchObject({ message: 'broken: lost' });
    await settle();
    expect(c.calls).toHaveLength(2);
    const second = c.calls[1] as Call;
    expect(second.written).toEqual(['c']); // nothing is resent on its own
    second.answer('c');
    await expect(queued).resolves.toBe('ok:c');
  });

  it('a break that is not retryable fails what is queued too, and a failed connection fails the queue', async () => {
    const c = client();
    const { stream } = sender(c.internals);
    void send(stream, 'a').catch(() => undefined);
    await settle();
    const call = c.calls[0] as Call;
    call.room = 1;
    void send(stream, 'b').catch(() => undefined);
    const queued = send(stream, 'c');
    await settle();
    call.break(false);
    await expect(queued).rejects.toMatchObject({ code: 'AUTHENTICATION' });
    await settle();
    expect(c.calls).toHaveLength(1);

    const down = client(false);
    const other = sender(down.internals).stream;
    const waiting = send(other, 'x');
    down.refuse(new KubemqError({ code: 'CLOSED', message: 'the client is closed', operation: 'client' }));
    await expect(waiting).rejects.toMatchObject({ code: 'CLOSED' });
    expect(down.calls).toHaveLength(0);
    // The connection's errors name the stream's operation, not the wait for the connection.
    expect(down.readyCalls).toEqual([{ operation: 'test.send' }]);
  });

  it("a broker that ends the call on a message over its own, lower size limit: only the sends over it fail for it, and the stream goes on without writing any more of them", async () => {
    const c = client();
    const { stream } = sender(c.internals, { sized: true });
    const small = send(stream, 'a');
    await settle();
    const first = c.calls[0] as Call;
    first.room = 2;
    const big = send(stream, 'too-large-1');
    const after = send(stream, 'b'); // written; the transport is full after it
    const queued = send(stream, 'c');
    const queuedBig = send(stream, 'too-large-2');
    await settle();
    expect(first.written).toEqual(['a', 'too-large-1', 'b']);
    // What the open-source server's SendEventsStream ends with (mapped): its reader's own error, inside.
    const refusal = new KubemqError({ code: 'RESOURCE_EXHAUSTED', message: 'test.send failed: grpc: received message larger than max (11 vs. 8)', operation: 'test.send' });
    first.observer.error(refusal);
    await expect(big).rejects.toBe(refusal);
    // The others are not at fault: they may or may not have been taken, as on a drop.
    for (const p of [small, after]) await expect(p).rejects.toMatchObject({ code: 'UNAVAILABLE', retryable: true, message: expect.stringContaining('over its size limit (8 bytes)') as string });
    await expect(queuedBig).rejects.toMatchObject({ code: 'VALIDATION', operation: 'test.send', message: expect.stringContaining("too-large-2 is over the broker's message size limit") as string });
    await settle();
    expect(c.calls).toHaveLength(2);
    const second = c.calls[1] as Call;
    expect(second.written).toEqual(['c']);
    second.answer('c');
    await expect(queued).resolves.toBe('ok:c');
    // From now on a send over the broker's limit is refused before it is written; the fast path
    // takes only what fits.
    await expect(send(stream, 'too-large-3')).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(stream.writeNow({ id: 'too-large-4' })).toBe(false);
    expect(stream.writeNow({ id: 'd' })).toBe(true);
    await settle();
    expect(second.written).toEqual(['c', 'd']);
    // The limit is the client's: its other send streams refuse the same at once.
    const sibling = sender(c.internals, { sized: true }).stream;
    await expect(send(sibling, 'too-large-5')).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(c.calls).toHaveLength(2);
    // A lost connection forgets it (the connection's doing): the next may reach another broker.
    c.internals.brokerMessageLimit = undefined;
    void send(stream, 'too-large-6').catch(() => undefined);
    await settle();
    expect(second.written).toEqual(['c', 'd', 'too-large-6']);

    // A limit at or over the client's own (grpc-js's words for a response too large for it) is no broker's: the break is what it says.
    const other = client();
    const plain = sender(other.internals, { sized: true }).stream;
    void send(plain, 'x').catch(() => undefined);
    await settle();
    const call = other.calls[0] as Call;
    call.room = 1;
    void send(plain, 'y').catch(() => undefined);
    const behind = send(plain, 'z');
    await settle();
    call.observer.error(new KubemqError({ code: 'RESOURCE_EXHAUSTED', message: 'Received message larger than max (300 vs 100)', operation: 'test.send' }));
    await expect(behind).rejects.toMatchObject({ code: 'RESOURCE_EXHAUSTED' });
  });

  it('a size refusal while closing: the queued sends over the limit fail as such, the others as on a drop', async () => {
    const c = client();
    const { stream } = sender(c.internals, { sized: true });
    void send(stream, 'a').catch(() => undefined);
    await settle();
    const call = c.calls[0] as Call;
    call.room = 1;
    void send(stream, 'too-large-1').catch(() => undefined); // written; the transport is full after it
    const queued = send(stream, 'b');
    const queuedBig = send(stream, 'too-large-2');
    void stream.close({ timeoutMs: 60_000 });
    await settle();
    call.observer.error(new KubemqError({ code: 'RESOURCE_EXHAUSTED', message: 'grpc: received message larger than max (11 vs. 8)', operation: 'test.send' }));
    await expect(queuedBig).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(queued).rejects.toMatchObject({ code: 'UNAVAILABLE', retryable: true });
  });

  it('a deadline: a send that times out while queued is never written; one that timed out after it was written is expired in the matcher', async () => {
    const c = client(false);
    const { stream, matcher } = sender(c.internals);
    const late = send(stream, 'queued', { timeoutMs: 10 });
    await expect(late).rejects.toMatchObject({ code: 'TIMEOUT', timeoutMs: 10, channel: 'ch', sent: false, message: 'test.send did not complete within 10 ms: it was never sent' });
    c.ready();
    const unanswered = send(stream, 'written', { timeoutMs: 10 });
    await expect(unanswered).rejects.toMatchObject({ code: 'TIMEOUT', sent: true, message: expect.stringContaining('it was sent, so the broker may still have taken it') });
    const call = c.calls[0] as Call;
    expect(call.written).toEqual(['written']);
    expect(matcher.expiredIds).toEqual(['queued', 'written']);
    expect(matcher.outstanding).toBe(0);
  });

  it('an abort: an aborted signal rejects at once and opens nothing; an abort while queued keeps it from being written', async () => {
    const c = client(false);
    const { stream } = sender(c.internals);
    await expect(send(stream, 'a', { signal: AbortSignal.abort('stop') })).rejects.toMatchObject({ code: 'CANCELLED', message: 'test.send was aborted', cause: 'stop' });
    expect(stream.queued).toBe(0);
    const ac = new AbortController();
    const aborted = send(stream, 'b', { signal: ac.signal });
    const kept = send(stream, 'c');
    ac.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'CANCELLED' });
    c.ready();
    await settle();
    expect((c.calls[0] as Call).written).toEqual(['c']);
    (c.calls[0] as Call).answer('c');
    await expect(kept).resolves.toBe('ok:c');
  });

  it('refuses past maxQueued with BUFFER_FULL (retryable) and after close() with closedError', async () => {
    const c = client(false);
    const { stream } = sender(c.internals, { maxQueued: 2 });
    void send(stream, 'a').catch(() => undefined);
    void send(stream, 'b').catch(() => undefined);
    await expect(send(stream, 'c')).rejects.toMatchObject({ code: 'BUFFER_FULL', retryable: true, channel: 'ch' });
    void stream.close({ timeoutMs: 0 });
    await expect(send(stream, 'd')).rejects.toMatchObject({ code: 'CLOSED', message: 'closed' });
  });

  it('sends that expired while queued (a broker away) take no room: maxQueued counts live ones, and the queue lets their bodies go', async () => {
    const c = client(false);
    const { stream } = sender(c.internals, { maxQueued: 100 });
    for (let round = 0; round < 6; round++) {
      const expired = Array.from({ length: 100 }, (_, i) => send(stream, `old-${round}-${i}`, { timeoutMs: 5 }));
      await Promise.all(expired.map((p) => expect(p).rejects.toMatchObject({ code: 'TIMEOUT' })));
      expect(stream.queued).toBe(0);
    }
    const live = Array.from({ length: 100 }, (_, i) => send(stream, `new-${i}`));
    await expect(send(stream, 'one-too-many')).rejects.toMatchObject({ code: 'BUFFER_FULL' });
    expect(stream.queued).toBe(100);
    c.ready();
    await settle();
    const call = c.calls[0] as Call;
    expect(call.written).toEqual(Array.from({ length: 100 }, (_, i) => `new-${i}`));
    for (let i = 0; i < 100; i++) call.answer(`new-${i}`);
    await expect(Promise.all(live)).resolves.toHaveLength(100);
    expect(stream.queued).toBe(0);
  });

  it('untilWritten: resolves once written, and the matcher never waits for it', async () => {
    const c = client();
    const { stream, matcher } = sender(c.internals);
    await expect(stream.send({ id: 'w' }, { timeoutMs: 1_000 }, true)).resolves.toBeUndefined();
    expect((c.calls[0] as Call).written).toEqual(['w']);
    expect(matcher.outstanding).toBe(0);
  });

  it('flush() writes the proof after what is queued; burstWritten runs after each burst', async () => {
    const c = client();
    const matcher = new WithProof();
    const bursts: number[] = [];
    matcher.burstWritten = () => void bursts.push(matcher.outstanding);
    const { stream } = sender(c.internals, { matcher });
    const unanswered = [send(stream, 'a'), send(stream, 'b')];
    const flushed = stream.flush({ timeoutMs: 1_000 });
    await settle();
    const call = c.calls[0] as Call;
    expect(call.written).toEqual(['a', 'b', '!1']);
    expect(bursts).toEqual([3]);
    call.answer('!1');
    await expect(flushed).resolves.toBe('ok:!1');
    await closeNow(stream, unanswered);
  });

  describe('close', () => {
    afterEach(() => jest.useRealTimers());

    it("'server-ends': writes what is queued, waits for the answers, half-closes and waits for the broker's end; later sends fail", async () => {
      const c = client(false);
      const { stream } = sender(c.internals);
      const pending = send(stream, 'a');
      let closed = false;
      const closing = stream.close({ timeoutMs: 60_000 }).then(() => (closed = true));
      c.ready();
      await settle();
      const call = c.calls[0] as Call;
      expect(call.written).toEqual(['a']); // accepted before close(): it still goes out
      expect(call.ended).toBe(false); // the answer comes first
      call.answer('a');
      await settle();
      expect(call.ended).toBe(true);
      expect(closed).toBe(false);
      call.observer.complete();
      await closing;
      expect(call.cancelled).toBe(false);
      await expect(pending).resolves.toBe('ok:a');
      expect(c.tracked.size).toBe(0);
      await expect(send(stream, 'b')).rejects.toMatchObject({ code: 'CLOSED', message: 'closed' });
    });

    it("'client-ends': half-closes at once, waits for every answer, then cancels", async () => {
      const c = client();
      const { stream } = sender(c.internals, { ending: 'client-ends' });
      const pending = send(stream, 'a');
      await settle();
      const call = c.calls[0] as Call;
      const closing = stream.close({ timeoutMs: 60_000 });
      await settle();
      expect(call.ended).toBe(true);
      expect(call.cancelled).toBe(false); // never while an answer is owed
      call.answer('a');
      await closing;
      expect(call.cancelled).toBe(true);
      await expect(pending).resolves.toBe('ok:a');
    });

    it('with sends pending, the bound ends the whole close: unanswered and unwritten sends fail with abandonedError and the call is cancelled', async () => {
      jest.useFakeTimers({ doNotFake: ['setImmediate', 'queueMicrotask', 'nextTick'] });
      const c = client();
      const { stream } = sender(c.internals);
      const unanswered = send(stream, 'a').catch((err: unknown) => err);
      await settle();
      const call = c.calls[0] as Call;
      call.room = 1;
      void send(stream, 'b').catch(() => undefined);
      const unwritten = send(stream, 'c').catch((err: unknown) => err);
      await settle();
      const closing = stream.close({ timeoutMs: 1_000 });
      let closed = false;
      void closing.then(() => (closed = true));
      jest.advanceTimersByTime(999);
      await settle();
      expect(closed).toBe(false);
      jest.advanceTimersByTime(1);
      await settle();
      expect(closed).toBe(true);
      expect(call.ended).toBe(true);
      expect(call.cancelled).toBe(true);
      expect(await unanswered).toMatchObject({ code: 'CLOSED', message: 'unanswered (timeout)' });
      expect(await unwritten).toMatchObject({ code: 'CLOSED', message: 'unwritten (timeout)' });
    });

    it('an aborted signal or timeoutMs 0 cancels at once, writing no half-close of its own (the connection half-closes a call it cancels); every call returns the one close and its bound counts', async () => {
      for (const bounds of [{ timeoutMs: 60_000, signal: AbortSignal.abort() }, { timeoutMs: 0 }]) {
        const c = client();
        const { stream } = sender(c.internals);
        const pending = send(stream, 'a');
        await settle();
        await stream.close(bounds);
        const call = c.calls[0] as Call;
        expect(call.cancelled).toBe(true);
        expect(call.ended).toBe(false);
        await expect(pending).rejects.toMatchObject({ message: `unanswered (${bounds.timeoutMs === 0 ? 'timeout' : 'cancelled'})` });
      }
      const c = client();
      const { stream } = sender(c.internals, { ending: 'client-ends' });
      const pending = send(stream, 'a');
      await settle();
      const first = stream.close({ timeoutMs: 60_000 });
      const ac = new AbortController();
      expect(stream.close({ timeoutMs: 60_000, signal: ac.signal })).toBe(first);
      ac.abort();
      await first;
      await expect(pending).rejects.toMatchObject({ message: 'unanswered (cancelled)' });
    });

    it('a close with a proof waits until the broker processed what was written without an answer of its own', async () => {
      const c = client();
      const { stream } = sender(c.internals, { matcher: new WithProof() });
      await stream.send({ id: 'w' }, { timeoutMs: 1_000 }, true);
      const closing = stream.close({ timeoutMs: 60_000 });
      await settle();
      const call = c.calls[0] as Call;
      expect(call.written).toEqual(['w', '!1']);
      expect(call.ended).toBe(false);
      call.answer('!1');
      await settle();
      expect(call.ended).toBe(true);
      call.observer.complete();
      await closing;
    });

    it("the client's close: sends are taken until the handlers' drains are over, and the stream is drained after them, as a send stream", async () => {
      const c = client();
      const { stream } = sender(c.internals);
      c.internals.accepting = false; // close() began: the handlers drain
      const during = send(stream, 'a');
      await settle();
      expect(c.calls[0]?.written).toEqual(['a']);
      const [resource] = [...c.tracked];
      expect(resource?.drainsAfterHandlers).toBe(true);
      c.internals.acceptingSends = false; // the handlers' drains are over
      await expect(send(stream, 'b')).rejects.toMatchObject({ code: 'CLOSED', message: 'closed' });
      const draining = resource?.drain(undefined, new AbortController().signal);
      c.calls[0]?.answer('a');
      await settle();
      c.calls[0]?.observer.complete();
      await draining;
      await expect(during).resolves.toBe('ok:a');
    });

    it("the client's close stops waiting (its cut): the drain ends at once, and what was written fails with abandonedError for the cut's reason", async () => {
      for (const reason of ['timeout', 'cancelled'] as const) {
        const c = client();
        const { stream } = sender(c.internals);
        const unanswered = send(stream, 'a').catch((err: unknown) => err);
        await settle();
        const cut = new AbortController();
        const draining = [...c.tracked][0]?.drain(undefined, cut.signal);
        await settle();
        expect(c.calls[0]?.cancelled).toBe(false);
        cut.abort(reason);
        await draining;
        expect(c.calls[0]?.cancelled).toBe(true);
        expect(await unanswered).toMatchObject({ code: 'CLOSED', message: `unanswered (${reason})` });
      }
    });

    it("a call the client's close ends (CLOSED) fails what was written with abandonedError, not as never sent; what was queued gets the close's error", async () => {
      const c = client();
      const { stream } = sender(c.internals);
      const unanswered = send(stream, 'a').catch((err: unknown) => err);
      await settle();
      const call = c.calls[0] as Call;
      call.room = 1;
      void send(stream, 'b').catch(() => undefined); // fills the transport
      const unwritten = send(stream, 'c').catch((err: unknown) => err);
      await settle();
      expect(call.written).toEqual(['a', 'b']);
      call.cancelled = true;
      call.observer.error(new KubemqError({ code: 'CLOSED', message: 'test.send: the client is closed', operation: 'test.send' }));
      expect(await unanswered).toMatchObject({ code: 'CLOSED', message: 'unanswered (ended)' });
      expect(await unwritten).toMatchObject({ code: 'CLOSED', message: 'test.send: the client is closed' });
    });

    it('a close while the client is reconnecting ends the wait for the connection: nothing of the stream stays registered until it returns', async () => {
      for (const bounds of [{ timeoutMs: 20 }, { timeoutMs: 60_000, signal: AbortSignal.timeout(20) }]) {
        const c = client(false);
        const { stream } = sender(c.internals, { matcher: new WithProof() });
        const unwritten = send(stream, 'a').catch((err: unknown) => err);
        await settle();
        expect(c.waiting.size).toBe(1);
        await stream.close(bounds);
        expect(await unwritten).toMatchObject({ code: 'CLOSED', message: `unwritten (${bounds.signal ? 'cancelled' : 'timeout'})` });
        await settle();
        expect(c.waiting.size).toBe(0);
        expect(c.tracked.size).toBe(0);
        c.ready();
        await settle();
        expect(c.calls).toHaveLength(0);
      }
    });

    it('closing a stream that never sent opens nothing', async () => {
      const c = client();
      const { stream } = sender(c.internals);
      await stream.close({ timeoutMs: 1_000 });
      expect(c.calls).toHaveLength(0);
    });
  });
});
