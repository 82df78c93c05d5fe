import { type KubemqClient } from '@kubemq/core';
import { eventListener, events, type EventListener } from '@kubemq/events';

// A long-running handler: every event of the channel goes to the handler, one at a time (raise
// `concurrency` to run more at once). A handler that throws is reported to onError; the
// listener goes on.
export async function startAuditLog(client: KubemqClient): Promise<EventListener> {
  const listener = eventListener(client, 
    { channel: 'notifications.email', onError: (err, event) => console.error('audit failed on', event?.id, err) },
    async (event) => {
      console.log('audit', event.id, event.json());
    },
  );
  // The broker registers the subscription a moment later and says nothing when it has: ready()
  // publishes readiness probes until one reaches this listener. From then on no event is missed.
  await listener.ready({ timeoutMs: 10_000 });
  return listener;
}

// Stopping: stop() takes no new events, lets the handlers in hand finish, then resolves.
// `await using` and client.close() do the same; `done` settles when the listener has ended.
export async function auditUntilShutdown(client: KubemqClient, shutdown: AbortSignal): Promise<void> {
  const listener = eventListener(client, { channel: 'notifications.email', signal: shutdown }, (event) => {
    console.log('audit', event.id);
  });
  await listener.ready();
  await events(client).send({ channel: 'notifications.email', body: '{"user":1}' }); // reaches the listener
  await listener.done; // resolves once `shutdown` aborts and the handlers finished
  const { received, handled, handlerErrors } = listener.stats;
  console.log(`audited ${handled} of ${received} events, ${handlerErrors} failed`);
}
