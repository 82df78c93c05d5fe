// broadcast.ts against rxjs's Subject and BehaviorSubject: the same script of subscribes,
// unsubscribes, emissions and completion gives every subscriber the same view.
import fc from 'fast-check';
import * as rxjs from 'rxjs';
import { Broadcast, ValueBroadcast } from './broadcast.js';

type Step = { op: 'subscribe' } | { op: 'unsubscribe'; which: number } | { op: 'next'; value: number } | { op: 'complete' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant({ op: 'subscribe' as const }),
  fc.record({ op: fc.constant('unsubscribe' as const), which: fc.nat(5) }),
  fc.record({ op: fc.constant('next' as const), value: fc.integer({ min: 0, max: 9 }) }),
  fc.constant({ op: 'complete' as const }),
);

interface Source {
  observable: rxjs.Observable<number>;
  next(value: number): void;
  complete(): void;
}

/** What each subscriber saw, in subscription order, when `steps` run against `source`. */
function play(source: Source, steps: Step[]): string[][] {
  const seen: string[][] = [];
  const subscriptions: rxjs.Subscription[] = [];
  for (const s of steps) {
    if (s.op === 'subscribe') {
      const log: string[] = [];
      seen.push(log);
      subscriptions.push(source.observable.subscribe({ next: (v) => log.push(`next ${v}`), complete: () => log.push('complete') }));
    } else if (s.op === 'unsubscribe') {
      subscriptions[s.which]?.unsubscribe();
    } else if (s.op === 'next') {
      source.next(s.value);
    } else {
      source.complete();
    }
  }
  return seen;
}

const fromSubject = (subject: rxjs.Subject<number>): Source => ({
  observable: subject.asObservable(),
  next: (v) => subject.next(v),
  complete: () => subject.complete(),
});

describe('Broadcast and ValueBroadcast: what rxjs Subject and BehaviorSubject do', () => {
  it('property: Broadcast is a Subject to its subscribers', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 20 }), (steps) => {
        expect(play(new Broadcast<number>(), steps)).toEqual(play(fromSubject(new rxjs.Subject<number>()), steps));
      }),
    );
  });

  // Two differences: BehaviorSubject still takes a value after complete(), where ValueBroadcast
  // keeps the last one it emitted (a closed connection stays 'closed'); and a subscriber that comes
  // after complete() gets that value before completion, where BehaviorSubject only completes it.
  const replayingAfterComplete = (subject: rxjs.BehaviorSubject<number>): Source => {
    let last = subject.getValue();
    return {
      observable: new rxjs.Observable<number>((subscriber) => {
        if (!subject.isStopped) return subject.subscribe(subscriber);
        subscriber.next(last);
        subscriber.complete();
        return undefined;
      }),
      next: (v) => {
        if (!subject.isStopped) last = v;
        subject.next(v);
      },
      complete: () => subject.complete(),
    };
  };

  it('property: ValueBroadcast is a BehaviorSubject to its subscribers, keeps its last value, and replays it after completing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.array(step, { maxLength: 20 }), (initial, steps) => {
        const ours = new ValueBroadcast<number>(initial);
        const theirs = new rxjs.BehaviorSubject<number>(initial);
        expect(play(ours, steps)).toEqual(play(replayingAfterComplete(theirs), steps));
        const beforeComplete = steps.findIndex((s) => s.op === 'complete');
        const emitted = (beforeComplete < 0 ? steps : steps.slice(0, beforeComplete)).flatMap((s) => (s.op === 'next' ? [s.value] : []));
        expect(ours.value).toBe(emitted.at(-1) ?? initial);
      }),
    );
  });

  it('hands out rxjs Observables, and reports whether anyone listens', () => {
    const broadcast = new Broadcast<number>();
    expect(broadcast.observable).toBeInstanceOf(rxjs.Observable);
    expect(broadcast.observed).toBe(false);
    const subscription = broadcast.observable.subscribe();
    expect(broadcast.observed).toBe(true);
    subscription.unsubscribe();
    expect(broadcast.observed).toBe(false);
  });

  it('a subscriber that unsubscribes while told does not stop the others being told', () => {
    const broadcast = new Broadcast<number>();
    const seen: string[] = [];
    const first: rxjs.Subscription = broadcast.observable.subscribe(() => {
      seen.push('first');
      first.unsubscribe();
    });
    broadcast.observable.subscribe(() => seen.push('second'));
    broadcast.next(1);
    broadcast.next(2);
    expect(seen).toEqual(['first', 'second', 'second']);
  });

  it('a value emitted while a new subscriber gets the current one reaches it, as in rxjs', () => {
    const seen = { ours: [] as string[], theirs: [] as string[] };
    const ours = new ValueBroadcast('a');
    const theirs = new rxjs.BehaviorSubject('a');
    ours.observable.subscribe((v) => {
      seen.ours.push(v);
      if (v === 'a') ours.next('b');
    });
    theirs.subscribe((v) => {
      seen.theirs.push(v);
      if (v === 'a') theirs.next('b');
    });
    expect(seen.ours).toEqual(['a', 'b']);
    expect(seen.ours).toEqual(seen.theirs);
  });

  it('a ValueBroadcast subscriber that takes one value is gone after it', async () => {
    const state = new ValueBroadcast('connecting');
    await expect(rxjs.firstValueFrom(state.observable)).resolves.toBe('connecting');
    expect(state.observed).toBe(false);
  });
});
