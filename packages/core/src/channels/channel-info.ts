import { KubemqError } from '../internal/errors/kubemq-error.js';

/** The kinds of channel the broker has. */
export type ChannelType = 'events' | 'events_store' | 'commands' | 'queries' | 'queues';

export const CHANNEL_TYPES: readonly ChannelType[] = ['events', 'events_store', 'commands', 'queries', 'queues'];

/** Traffic counters of one direction of a channel. */
export interface ChannelStats {
  /** Messages counted. */
  readonly messages: number;
  /** Bytes counted. */
  readonly volumeBytes: number;
  /** Responses (commands and queries). */
  readonly responses: number;
  /** Messages waiting (queues). */
  readonly waiting: number;
  /** Messages that expired (queues). */
  readonly expired: number;
  /** Messages delayed (queues). */
  readonly delayed: number;
}

/** A channel as the broker's channel-management responder lists it. */
export interface ChannelInfo {
  /** The channel name. */
  readonly name: string;
  /** Its type, as the broker reports it. */
  readonly type: ChannelType | string;
  /** When the channel last carried traffic. */
  readonly lastActivityAt: Date;
  /** Whether it has live senders or receivers. */
  readonly isActive: boolean;
  /** Traffic into the channel. */
  readonly incoming: ChannelStats;
  /** Traffic out of the channel. */
  readonly outgoing: ChannelStats;
}

const OPERATION = 'channels.list';

/** Parses a `list-channels` reply body: a JSON array of channel info; empty means no channels. */
export function parseChannelList(body: Uint8Array): ChannelInfo[] {
  const text = new TextDecoder().decode(body).trim();
  if (text === '') return [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw malformed(`the body is not JSON (${(err as Error).message})`);
  }
  if (json === null) return [];
  if (!Array.isArray(json)) throw malformed('the body is not a JSON array');
  return json.map((item, i) => parseChannel(item, i));
}

function parseChannel(item: unknown, index: number): ChannelInfo {
  if (typeof item !== 'object' || item === null) throw malformed(`item ${index} is not an object`);
  const raw = item as Record<string, unknown>;
  if (typeof raw['name'] !== 'string') throw malformed(`item ${index} has no name`);
  return {
    name: raw['name'],
    type: typeof raw['type'] === 'string' ? raw['type'] : '',
    lastActivityAt: toDate(raw['lastActivity']),
    isActive: raw['isActive'] === true,
    incoming: toStats(raw['incoming']),
    outgoing: toStats(raw['outgoing']),
  };
}

function toStats(value: unknown): ChannelStats {
  const raw = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const n = (key: string) => (typeof raw[key] === 'number' ? (raw[key] as number) : 0);
  return { messages: n('messages'), volumeBytes: n('volume'), responses: n('responses'), waiting: n('waiting'), expired: n('expired'), delayed: n('delayed') };
}

/**
 * The broker's `lastActivity` is a Unix timestamp whose unit the wire does not fix; it is read by magnitude
 * (seconds, milliseconds, microseconds or nanoseconds for any date between 1973 and 5138), or as
 * an ISO string.
 */
function toDate(value: unknown): Date {
  if (typeof value === 'string') return new Date(value);
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return new Date(0);
  if (value < 1e11) return new Date(value * 1000);
  if (value < 1e14) return new Date(value);
  if (value < 1e17) return new Date(value / 1e3);
  return new Date(value / 1e6);
}

function malformed(problem: string): KubemqError {
  return new KubemqError({ code: 'BROKER', message: `${OPERATION}: unexpected reply from the broker: ${problem}`, operation: OPERATION });
}
