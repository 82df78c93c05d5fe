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
   * Routes one event on the subject NATS read for it (`routed`, §6; its channel by default) and
   * returns the number of receivers. No receivers is not an error (§2.1). Without a payload (an
   * event over what NATS delivers) it is only counted as sent.
   */
  publish(channel: string, bytes: number, payload: (() => T) | undefined, routed = channel): number {
    this.channels.incoming('events', channel, bytes);
    if (this.router.size === 0 || payload === undefined) return 0;
    const receivers = this.router.route(routed);
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

