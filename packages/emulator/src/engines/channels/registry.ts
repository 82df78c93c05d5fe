// Per-channel activity counters, for the emulator-only channel-management responder
// (docs/broker-behaviour.md §2.5). The open-source server keeps these in its dashboard.

export const CHANNEL_TYPES = ['events', 'events_store', 'commands', 'queries', 'queues'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export interface ChannelCounters {
  messages: number;
  volume: number;
  responses: number;
  waiting: number;
  expired: number;
  delayed: number;
}

export interface ChannelInfo {
  name: string;
  type: ChannelType;
  /** Unix ms of the last message in or out (0 = never). */
  lastActivity: number;
  isActive: boolean;
  incoming: ChannelCounters;
  outgoing: ChannelCounters;
}

interface ChannelEntry {
  info: ChannelInfo;
  subscribers: number;
}

const zero = (): ChannelCounters => ({ messages: 0, volume: 0, responses: 0, waiting: 0, expired: 0, delayed: 0 });

export class ChannelRegistry {
  private readonly byType = new Map<ChannelType, Map<string, ChannelEntry>>(CHANNEL_TYPES.map((t) => [t, new Map()]));

  constructor(private readonly nowMs: () => number) {}

  private entry(type: ChannelType, name: string): ChannelEntry {
    const map = this.byType.get(type)!;
    let e = map.get(name);
    if (!e) {
      e = { info: { name, type, lastActivity: 0, isActive: false, incoming: zero(), outgoing: zero() }, subscribers: 0 };
      map.set(name, e);
    }
    return e;
  }

  /** Makes a channel known (create-channel, or the first use). */
  touch(type: ChannelType, name: string): void {
    this.entry(type, name);
  }

  has(type: ChannelType, name: string): boolean {
    return this.byType.get(type)!.has(name);
  }

  incoming(type: ChannelType, name: string, bytes: number): void {
    const e = this.entry(type, name);
    e.info.incoming.messages++;
    e.info.incoming.volume += bytes;
    e.info.lastActivity = this.nowMs();
  }

  outgoing(type: ChannelType, name: string, bytes: number, count = 1): void {
    const e = this.entry(type, name);
    e.info.outgoing.messages += count;
    e.info.outgoing.volume += bytes * count;
    e.info.lastActivity = this.nowMs();
  }

  response(type: ChannelType, name: string): void {
    const e = this.entry(type, name);
    e.info.outgoing.responses++;
    e.info.lastActivity = this.nowMs();
  }

  subscribed(type: ChannelType, name: string, delta: 1 | -1): void {
    const e = this.entry(type, name);
    e.subscribers = Math.max(0, e.subscribers + delta);
    e.info.isActive = e.subscribers > 0;
  }

  delete(type: ChannelType, name: string): boolean {
    return this.byType.get(type)!.delete(name);
  }

  /** Channels of a type whose name contains `search` (all when empty). */
  list(type: ChannelType, search = ''): ChannelInfo[] {
    const out: ChannelInfo[] = [];
    for (const e of this.byType.get(type)!.values()) {
      if (search && !e.info.name.includes(search)) continue;
      out.push(structuredClone(e.info));
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }
}
