import type { KubemqClient, IterableObservable } from '@kubemq/core';
import { iterableObservable } from '@kubemq/core/internal';
import { map } from 'rxjs';
import { toCommandReceive } from '../convert/received.js';
import { toCommandResponse } from '../convert/response.js';
import { COMMANDS } from '../kind.js';
import { RequestResponder } from '../serve/responder.js';
import type { HandleOptions, ReplyOptions, Responder, SendOptions, SubscribeOptions } from '../types/common.js';
import type { Command, CommandHandler, CommandReceive, CommandReply, CommandResponse } from '../types/command.js';
import { RequestsEngine, tracedRequests } from './requests-engine.js';

/**
 * Commands over one {@link KubemqClient}: send a command and wait for its answer, or serve a
 * channel. Get one with {@link commands}.
 *
 * @example
 * ```ts
 * const cmds = commands(client);
 * const res = await cmds.send({ channel: 'devices.reboot', body: 'dev-42', timeoutMs: 5000 });
 * if (!res.executed) console.error('reboot failed:', res.error);
 * ```
 */
export class CommandsClient {
  readonly #engine: RequestsEngine;

  constructor(client: KubemqClient) {
    this.#engine = new RequestsEngine(client, COMMANDS);
  }

  /**
   * Sends a command and waits for one responder's answer. Resolves with the answer even when the
   * responder reports `executed: false` (an application answer); rejects with `TimeoutError` when
   * no responder answered within the command's `timeoutMs`, with `ValidationError` (naming the
   * field, nothing sent) on bad input.
   */
  send(command: Command, options?: SendOptions): Promise<CommandResponse> {
    return this.#engine.send(command, options, toCommandResponse);
  }

  /**
   * Subscribes to commands on a channel (wildcards allowed) as a raw stream: answer each with
   * {@link CommandsClient.reply}. Cold; re-subscribes after a reconnect. The broker gives no signal
   * when the subscription is registered: see {@link Responder.ready} or probe before relying on it.
   */
  subscribe(options: SubscribeOptions): IterableObservable<CommandReceive> {
    const built = this.#engine.prepareSubscribe(options);
    return iterableObservable(this.#engine.requests(built).pipe(tracedRequests(this.#engine, built), map(toCommandReceive)));
  }

  /** Answers a received command (its `id` and `replyChannel` go into `requestId` and `replyChannel`). */
  reply(reply: CommandReply, options?: ReplyOptions): Promise<void> {
    return this.#engine.reply(reply, options);
  }

  /**
   * Serves a channel with a handler and replies for it: returning normally means executed,
   * throwing means `executed: false` with the error's message. Runs until `close()`.
   */
  handle(options: HandleOptions, handler: CommandHandler): Responder {
    return new RequestResponder(this.#engine, options, handler, toCommandReceive);
  }
}

/**
 * Attaches commands to a client.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { commands } from '@kubemq/rpc';
 *
 * await using client = await KubemqClient.connect({ address: 'localhost:50000' });
 * await using responder = commands(client).handle({ channel: 'devices.reboot' }, async (cmd) => {
 *   await rebootDevice(cmd.text());
 * });
 * await responder.ready();
 * const res = await commands(client).send({ channel: 'devices.reboot', body: 'dev-42', timeoutMs: 5000 });
 * ```
 */
export function commands(client: KubemqClient): CommandsClient {
  return new CommandsClient(client);
}
