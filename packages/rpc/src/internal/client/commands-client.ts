import type { CallOptions, KubemqClient, IterableObservable } from '@kubemq/core';
import { toCommandReceive } from '../convert/received.js';
import { toCommandResponse } from '../convert/response.js';
import { COMMANDS } from '../kind.js';
import type { RequestOptions } from '../types/request-options.js';
import type { Command, CommandReceive, CommandReply, CommandResponse, CommandsSubscription } from '../types/command.js';
import { RequestsEngine, subscribeRequests } from './requests-engine.js';

/**
 * Commands over one `KubemqClient`: send a command and wait for its answer, or subscribe to a
 * channel's commands and reply. Get one with {@link commands}; serve a channel with a handler
 * through `commandResponder()`.
 *
 * Only an object made by {@link commands} is accepted where a client of this pattern is taken
 * (`commandResponder()`, `commandChannel()`, which also take a `KubemqClient`): another object of
 * this shape, such as a decorator or a test double, is refused with a `ValidationError`
 * (`invalid client`). A test double should wrap a real client (and hand these functions the client
 * itself), or run against the broker of `@kubemq/testing`.
 *
 * @example
 * ```ts
 * const cmds: CommandsClient = commands(client);
 * const res = await cmds.send({ channel: 'devices.reboot', body: 'dev-42', timeoutMs: 5000 });
 * if (!res.executed) console.error('reboot failed:', res.error);
 * ```
 */
export interface CommandsClient {
  /**
   * Sends a command and waits for one responder's answer. Resolves with the answer even when the
   * responder reports `executed: false` (an application answer); rejects with `TimeoutError` when
   * no responder answered within the command's `timeoutMs`, with `ValidationError` (naming the
   * field, nothing sent) on bad input, with `CANCELLED` when `options.signal` aborts.
   */
  send(command: Command, options?: RequestOptions): Promise<CommandResponse>;
  /**
   * Subscribes to commands on a channel (wildcards allowed) as a raw stream: answer each with
   * {@link CommandsClient.reply}. Cold; re-subscribes after a reconnect. The broker gives no signal
   * when the subscription is registered: see `Responder.ready()` or probe before relying on it.
   */
  subscribe(subscription: CommandsSubscription): IterableObservable<CommandReceive>;
  /** Answers a received command (its `id` and `replyChannel` go into `requestId` and `replyChannel`). */
  reply(reply: CommandReply, options?: CallOptions): Promise<void>;
}

/** {@link CommandsClient} on one client's request engine (which responders serve through too). */
export class CommandsOnClient implements CommandsClient {
  readonly engine: RequestsEngine;

  constructor(client: KubemqClient) {
    this.engine = new RequestsEngine(client, COMMANDS);
  }

  send(command: Command, options?: RequestOptions): Promise<CommandResponse> {
    return this.engine.send(command, options, toCommandResponse);
  }

  subscribe(subscription: CommandsSubscription): IterableObservable<CommandReceive> {
    return subscribeRequests(this.engine, subscription, toCommandReceive);
  }

  reply(reply: CommandReply, options?: CallOptions): Promise<void> {
    return this.engine.reply(reply, options);
  }
}

/**
 * Attaches commands to a client.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { commandResponder, commands } from '@kubemq/rpc';
 *
 * await using client = await KubemqClient.connect({ address: 'localhost:50000' });
 * await using responder = commandResponder(client, { channel: 'devices.reboot' }, async (cmd) => {
 *   await rebootDevice(cmd.text());
 * });
 * await responder.ready();
 * const res = await commands(client).send({ channel: 'devices.reboot', body: 'dev-42', timeoutMs: 5000 });
 * ```
 */
export function commands(client: KubemqClient): CommandsClient {
  return new CommandsOnClient(client);
}
