// Events (broker-behaviour.md §2.1): core-NATS fire-and-forget fan-out with queue groups and wildcards.
import type { ChannelRegistry } from '../channels/registry.js';
import { SubjectRouter, type Subscription } from '../subjects.js';

/** A published event as subscribers see it, encoded once for all of them. */
export interface EventDelivery<T> {
  readonly channel: string;
  readonly payload: T;
  readonly bytes: number;
}

export class EventsEngine<T> {
  private readonly router = new SubjectRouter<T>();

  constructor(private readonly channels: ChannelRegistry) {}

  /**
   * Routes one event; returns the number of receivers. No receivers is not an error (§2.1). Without
   * a payload (an event over what NATS delivers) it is only counted as sent.
   */
  publish(channel: string, bytes: number, payload: (() => T) | undefined): number {
    this.channels.incoming('events', channel, bytes);
    if (this.router.size === 0 || payload === undefined) return 0;
    const receivers = this.router.route(natsSubject(channel));
    if (receivers.length === 0) return 0;
    const msg = payload();
    for (const r of receivers) r.deliver(msg);
    this.channels.outgoing('events', channel, bytes, receivers.length);
    return receivers.length;
  }

  subscribe(pattern: string, group: string, deliver: (msg: T) => void): () => void {
    const sub: Subscription<T> = this.router.add(pattern, group, deliver);
    this.channels.subscribed('events', pattern, 1);
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      this.router.remove(sub);
      this.channels.subscribed('events', pattern, -1);
    };
  }
}

/**
 * The subject NATS sees. §6: a tab ends the subject on the NATS protocol line, so an event on
 * `a<TAB>b` reaches subscribers of `a` (its payload still says `a\tb`). CR and LF alike.
 */
export function natsSubject(channel: string): string {
  const cut = channel.search(/[\t\r\n]/);
  return cut < 0 ? channel : channel.slice(0, cut);
}
