// The shared fake of a client's internals with SendEventsStream as the broker runs it: it answers
// (when `respond` does) right after reading each event, and ends the call on the client's half-close.
import { fakeInternals as baseFakeInternals, type FakeCall, type FakeInternals } from '@kubemq/test-fakes';

export { FakeCall, settle, type FakeInternals, type FakeServerStream } from '@kubemq/test-fakes';

export function fakeInternals(respond?: (req: never, call: FakeCall<never, never>) => void, opts: { defaultTimeoutMs?: number } = {}): FakeInternals {
  return baseFakeInternals({ ...opts, bidi: () => ({ completeOnEnd: true, ...(respond && { answer: respond }) }) });
}
