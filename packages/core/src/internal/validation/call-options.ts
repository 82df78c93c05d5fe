import type { CallOptions } from '../../client/call-options.js';
import { closedOptions } from './closed-options.js';
import { checked } from './fail.js';
import { validateSignal } from './numbers.js';

/** A call's options as read: the signal checked, `timeoutMs` as given (each call has its own rule for it). */
export interface ReadCallOptions {
  readonly signal: AbortSignal | undefined;
  readonly timeoutMs: number | undefined;
}

const NONE: ReadCallOptions = { signal: undefined, timeoutMs: undefined };
const CALL_OPTION_KEYS: readonly (keyof CallOptions)[] = ['signal', 'timeoutMs'];
const IN_MS = 'timeoutMs (milliseconds)';
// kubemq-js's `timeout` and other common names: ignored, the client's default deadline took over.
const CALL_OPTIONS_RENAMED = {
  timeout: IN_MS,
  timeoutSeconds: IN_MS,
  deadline: IN_MS,
  deadlineMs: IN_MS,
  timeOutMs: 'timeoutMs',
  timeoutMS: 'timeoutMs',
  abortSignal: 'signal',
};

/**
 * Reads a call's `CallOptions` (absent is `{}`): anything but an object, an unknown key (naming the
 * one to use for a known other name) or a signal that is no AbortSignal is a ValidationError naming
 * `operation`, before anything is sent. `field` names the argument (`callOptions` where it is second).
 */
export function readCallOptions(value: CallOptions | undefined, operation: string, field = 'options'): ReadCallOptions {
  // Most sends pass none: one shared answer, no check to run on every message.
  if (value === undefined) return NONE;
  const o = closedOptions(value, operation, CALL_OPTION_KEYS, CALL_OPTIONS_RENAMED, { field });
  return { signal: checked(operation, undefined, () => validateSignal(o.signal)), timeoutMs: o.timeoutMs };
}
