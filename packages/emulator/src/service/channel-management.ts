// Emulator-only channel management (docs/broker-behaviour.md §2.5): a query to
// `kubemq.cluster.internal.requests` with Metadata create-channel / delete-channel / list-channels
// and Tags channel_type, channel, channel_search. The open-source server has no such responder
// (broker-behaviour.md §0 item 4, §2.5); the commercial broker does, and the SDK's handling is tested with this.
import type { Request, Response } from '../generated/kubemq.js';
import { CHANNEL_TYPES, type ChannelInfo, type ChannelType } from '../engines/channels/registry.js';
import type { ServiceContext } from './context.js';

export const CHANNEL_MANAGEMENT_CHANNEL = 'kubemq.cluster.internal.requests';

const EMPTY = Buffer.alloc(0);

function reply(ctx: ServiceContext, req: Request, fields: Partial<Response>): Response {
  return {
    ClientID: 'kubemq-emulator',
    RequestID: req.RequestID,
    ReplyChannel: '',
    Metadata: '',
    Body: EMPTY,
    CacheHit: false,
    Timestamp: BigInt(Math.floor(ctx.clock.nowMs() / 1000)), // Response.Timestamp is Unix seconds
    Executed: true,
    Error: '',
    Span: EMPTY,
    Tags: {},
    ...fields,
  };
}

const fail = (ctx: ServiceContext, req: Request, error: string) => reply(ctx, req, { Executed: false, Error: error });

function isChannelType(t: string): t is ChannelType {
  return (CHANNEL_TYPES as readonly string[]).includes(t);
}

/** Queue channels come from the queue engine's QueuesInfo, merged with channels created by name. */
async function listQueues(ctx: ServiceContext, search: string): Promise<ChannelInfo[]> {
  const known = new Map(ctx.channels.list('queues', search).map((c) => [c.name, c]));
  const info = await new Promise<ChannelInfo[]>((resolve) => {
    const call = { request: { RequestID: '', QueueName: '' } } as unknown as Parameters<ServiceContext['queues']['queuesInfo']>[0];
    ctx.queues.queuesInfo(call, (err, res) => {
      if (err || !res?.Info) return resolve([]);
      resolve(
        res.Info.Queues.filter((q) => !search || q.Name.includes(search)).map((q) => ({
          name: q.Name,
          type: 'queues' as const,
          lastActivity: known.get(q.Name)?.lastActivity ?? 0,
          isActive: q.Subscribers > 0n,
          incoming: { messages: Number(q.Sent), volume: Number(q.Bytes), responses: 0, waiting: Number(q.Waiting), expired: 0, delayed: 0 },
          outgoing: { messages: Number(q.Delivered), volume: 0, responses: 0, waiting: 0, expired: 0, delayed: 0 },
        })),
      );
    });
  });
  for (const q of info) known.set(q.name, q);
  return [...known.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export async function handleChannelManagement(ctx: ServiceContext, req: Request): Promise<Response> {
  const type = req.Tags['channel_type'] ?? '';
  if (!isChannelType(type)) return fail(ctx, req, `invalid channel type: ${JSON.stringify(type)}`);
  const channel = req.Tags['channel'] ?? '';
  switch (req.Metadata) {
    case 'create-channel': {
      if (!channel) return fail(ctx, req, 'invalid channel name: cannot be empty');
      if (type === 'events_store') ctx.eventsStore.createChannel(channel);
      ctx.channels.touch(type, channel);
      return reply(ctx, req, {});
    }
    case 'delete-channel': {
      if (!channel) return fail(ctx, req, 'invalid channel name: cannot be empty');
      if (type === 'events_store') ctx.eventsStore.deleteChannel(channel);
      ctx.channels.delete(type, channel);
      return reply(ctx, req, {});
    }
    case 'list-channels': {
      const search = req.Tags['channel_search'] ?? '';
      const list = type === 'queues' ? await listQueues(ctx, search) : ctx.channels.list(type, search);
      // An empty body means no channels (docs/broker-behaviour.md §2.2).
      return reply(ctx, req, { Body: list.length === 0 ? EMPTY : Buffer.from(JSON.stringify(list), 'utf8') });
    }
    default:
      return fail(ctx, req, `invalid channel management request: ${JSON.stringify(req.Metadata)}`);
  }
}
