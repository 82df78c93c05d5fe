import type { Instrumentation, MessagingOperation, OperationSpan } from '../../telemetry/telemetry.js';
import { ValidationError } from '../errors/kubemq-error.js';
import { tracedSend } from './traced-send.js';

const op: MessagingOperation = { pattern: 'events', type: 'send', name: 'send', channel: 'c', tags: [] };

/** A telemetry whose span writes a tag into the message when it starts, as a propagator does. */
function injecting(tags: Record<string, string>) {
  const ended: unknown[] = [];
  const telemetry: Instrumentation = {
    start(): OperationSpan {
      tags['traceparent'] = '00-' + '1'.repeat(32) + '-' + '2'.repeat(16) + '-01';
      return { run: (fn) => fn(), end: (error?: unknown) => void ended.push(error) };
    },
    reconnected: () => undefined,
    retried: () => undefined,
  };
  return { telemetry, ended };
}

describe('tracedSend', () => {
  it('without telemetry sends at once, and never rechecks', async () => {
    const recheck = jest.fn();
    await expect(tracedSend(undefined, () => op, recheck, async () => 'sent')).resolves.toBe('sent');
    expect(recheck).not.toHaveBeenCalled();
  });

  it('rechecks once the span has written its tags, before sending; a refusal rejects, ends the span, and sends nothing', async () => {
    const tags: Record<string, string> = {};
    const { telemetry, ended } = injecting(tags);
    const send = jest.fn(async () => 'sent');
    const seen: string[] = [];
    await expect(tracedSend(telemetry, () => op, () => void seen.push(Object.keys(tags).join()), send)).resolves.toBe('sent');
    expect(seen).toEqual(['traceparent']);
    const refused = new ValidationError({ message: 'invalid event: too big', operation: 'events.send', field: 'event' });
    const result = tracedSend(telemetry, () => op, () => { throw refused; }, send);
    expect(result).toBeInstanceOf(Promise); // a rejection, never a synchronous throw
    await expect(result).rejects.toBe(refused);
    expect(send).toHaveBeenCalledTimes(1);
    expect(ended).toEqual([undefined, refused]);
  });
});
