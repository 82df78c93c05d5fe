/**
 * Where an events-store subscription starts delivering: the six start positions of every KubeMQ
 * SDK (`StartNewOnly`, `StartFromFirst`, `StartFromLast`, `StartAtSequence`, `StartAtTime`,
 * `StartAtTimeDelta`), as a discriminated union whose kinds are the names of their constructors:
 * - `newOnly`: only events stored after the subscription opened;
 * - `fromFirst`: every stored event, from sequence 1;
 * - `fromLast`: the last stored event, then new ones;
 * - `atSequence`: from sequence `sequence` (≥ 1) on; past the end it waits for new events (with a
 *   `group`, the broker starts a group it creates at the channel's next sequence, and the events
 *   before `sequence` are delivered too: see `EventsStoreSubscription.group`);
 * - `atTime`: events stored after about `time`: the broker starts a little after it, never at it,
 *   so an event stored at (or just after) `time` can be left out; ask for a time clearly before the
 *   first event you want, or use `atSequence`;
 * - `atTimeDelta`: events stored in about the last `deltaSeconds` seconds (whole seconds: the broker
 *   counts seconds), starting a little after that long ago, as `atTime` does.
 *
 * Every position but `newOnly` reaches back into what is stored, so an event stored while the
 * subscription is still being registered is delivered all the same: a subscription from the first
 * event, or from a sequence, needs no readiness signal.
 *
 * @example
 * ```ts
 * const fromHundred: StartPosition = { kind: 'atSequence', sequence: 100 };
 * const lastHour = StartPosition.atTimeDelta(60 * 60);
 * ```
 */
export type StartPosition =
  | {
      /** Only events stored after the subscription opened (`StartNewOnly`). */
      readonly kind: 'newOnly';
    }
  | {
      /** Every stored event, from sequence 1 (`StartFromFirst`). */
      readonly kind: 'fromFirst';
    }
  | {
      /** The last stored event, then new ones (`StartFromLast`). */
      readonly kind: 'fromLast';
    }
  | {
      /** From the event with sequence `sequence` on (`StartAtSequence`). */
      readonly kind: 'atSequence';
      /**
       * The channel sequence to start at: a whole number ≥ 1; past the end, it waits for new events
       * (a new group gets those before it too: see `EventsStoreSubscription.group`).
       */
      readonly sequence: number;
    }
  | {
      /** Events stored after about `time` (`StartAtTime`): the broker starts a little after it. */
      readonly kind: 'atTime';
      /** About the earliest store time to deliver, not inclusive (a valid Date after 1970-01-01T00:00:00Z; sent as Unix nanoseconds). */
      readonly time: Date;
    }
  | {
      /** Events stored in about the last `deltaSeconds` seconds (`StartAtTimeDelta`). */
      readonly kind: 'atTimeDelta';
      /** How far back from now, in seconds: a whole number ≥ 1 (the broker counts seconds). */
      readonly deltaSeconds: number;
    };

/**
 * Constructors for the six start positions; each one's name is the `kind` it makes.
 *
 * @example
 * ```ts
 * eventsStore(client).subscribe({ channel: 'audit', startAt: StartPosition.atTime(new Date('2026-11-28T00:00:00Z')) });
 * ```
 */
export const StartPosition = {
  /** Only events stored after subscribing: `{ kind: 'newOnly' }` (`StartNewOnly`). */
  newOnly: (): StartPosition => ({ kind: 'newOnly' }),
  /** Every stored event, from the first: `{ kind: 'fromFirst' }` (`StartFromFirst`). */
  fromFirst: (): StartPosition => ({ kind: 'fromFirst' }),
  /** The last stored event, then new ones: `{ kind: 'fromLast' }` (`StartFromLast`). */
  fromLast: (): StartPosition => ({ kind: 'fromLast' }),
  /** From sequence `sequence` (≥ 1) on: `{ kind: 'atSequence', sequence }` (`StartAtSequence`). */
  atSequence: (sequence: number): StartPosition => ({ kind: 'atSequence', sequence }),
  /** Events stored after about `time` (the broker starts a little after it): `{ kind: 'atTime', time }` (`StartAtTime`). */
  atTime: (time: Date): StartPosition => ({ kind: 'atTime', time }),
  /** Events stored in about the last `deltaSeconds` whole seconds: `{ kind: 'atTimeDelta', deltaSeconds }` (`StartAtTimeDelta`). */
  atTimeDelta: (deltaSeconds: number): StartPosition => ({ kind: 'atTimeDelta', deltaSeconds }),
} as const;
