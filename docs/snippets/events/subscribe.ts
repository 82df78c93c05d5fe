import { type KubemqClient } from '@kubemq/core';
import { events } from '@kubemq/events';

// As an RxJS Observable: subscribing opens the subscription, unsubscribing closes it. A live view
// like this one shows whatever is published while it is open; it needs no readiness signal,
// because nothing it does depends on seeing the first events. When it does, use eventListener() and
// ready() instead.
export function logNotifications(client: KubemqClient): () => void {
  const subscription = events(client)
    .subscribe({ channel: 'notifications.email' })
    .subscribe({
      next: (event) => console.log(event.channel, event.id, event.text(), event.tags),
      error: (err) => console.error('subscription ended', err),
    });
  return () => subscription.unsubscribe();
}

// As an async iterable: breaking out of the loop closes the subscription.
export async function firstTen(client: KubemqClient): Promise<string[]> {
  const texts: string[] = [];
  for await (const event of events(client).subscribe({ channel: 'notifications.email' })) {
    texts.push(event.text());
    if (texts.length === 10) break;
  }
  return texts;
}

// Until told to stop: the loop waits in next() between events, where no check in its body runs,
// so the signal goes to subscribe(). Aborting it ends the loop quietly, waiting or not.
export async function logUntil(client: KubemqClient, signal: AbortSignal): Promise<void> {
  for await (const event of events(client).subscribe({ channel: 'notifications.email', signal })) {
    console.log(event.id, event.text());
  }
}
