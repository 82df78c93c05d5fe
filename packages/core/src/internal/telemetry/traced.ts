import type { MonoTypeOperatorFunction } from 'rxjs';
import { observable } from '../rx.js';
import type { Instrumentation, MessagingOperation } from '../../telemetry/telemetry.js';

/**
 * Runs one operation inside a span when the client has telemetry, and straight through when it
 * has none (the description is then never built). The span is active while `run` starts, so
 * spans started inside it (user code in a handler included) are its children, and it ends when
 * the promise settles.
 */
export function traced<T>(
  telemetry: Instrumentation | undefined,
  describe: () => MessagingOperation,
  run: () => Promise<T>,
): Promise<T> {
  if (telemetry === undefined) return run();
  const span = telemetry.start(describe());
  let promise: Promise<T>;
  try {
    promise = span.run(run);
  } catch (err) {
    span.end(err);
    throw err;
  }
  return promise.then(
    (value) => {
      span.end();
      return value;
    },
    (err: unknown) => {
      span.end(err);
      throw err;
    },
  );
}

/**
 * Wraps each delivery of a push subscription in a `process` span whose parent is the message's
 * producer (read from its tags): the subscriber's callback runs inside it. A delivery `describe`
 * gives no operation for (a responder's readiness probe) is passed on untraced. Without telemetry
 * the source is returned as it is.
 */
export function tracedDeliveries<T>(
  telemetry: Instrumentation | undefined,
  describe: (value: T) => MessagingOperation | undefined,
): MonoTypeOperatorFunction<T> {
  if (telemetry === undefined) return (source) => source;
  return (source) =>
    observable<T>((subscriber) =>
      source.subscribe({
        next: (value) => {
          const operation = describe(value);
          if (operation === undefined) return subscriber.next(value);
          const span = telemetry.start(operation);
          try {
            span.run(() => subscriber.next(value));
          } finally {
            span.end();
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}

/**
 * Runs an operation that can only be described once it is over (a poll: how many messages, and
 * whose), and records it then, with its real start time. Without telemetry it runs straight through.
 */
export async function tracedAfter<T>(
  telemetry: Instrumentation | undefined,
  run: () => Promise<T>,
  describe: (result: T | undefined) => MessagingOperation,
): Promise<T> {
  if (telemetry === undefined) return run();
  const startedAt = new Date();
  let result: T;
  try {
    result = await run();
  } catch (err) {
    telemetry.start({ ...describe(undefined), startedAt }).end(err);
    throw err;
  }
  telemetry.start({ ...describe(result), startedAt }).end();
  return result;
}
