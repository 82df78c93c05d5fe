import { ValidationError, type CallOptions, type Codec, type Decoded, type KubemqClient, type IterableObservable } from '@kubemq/core';
import { decodeEach, decodeReceived, optionsObject, sendTyped, patternClientFor, typedChannelConfig } from '@kubemq/core/internal';
import { CommandsOnClient, type CommandsClient } from '../client/commands-client.js';
import type { RequestOptions } from '../types/request-options.js';
import type { HandlerContext } from '../types/handler-context.js';
import { registerServeThrough, type ServeThrough } from '../serve/serve-through.js';
import type { HandleOptions } from '../types/responder.js';
import type { Command, CommandHandlerResult, CommandReceive, CommandReply, CommandResponse, CommandsSubscription } from '../types/command.js';

/**
 * A typed command for a {@link CommandChannel}: the `value` is encoded by the channel's codec.
 *
 * @example
 * ```ts
 * const reboot: TypedCommand<{ device: string }> = { value: { device: 'dev-42' }, timeoutMs: 5000 };
 * ```
 */
export interface TypedCommand<T> extends Omit<Command, 'channel' | 'body'> {
  /** The payload, encoded by the channel's codec. */
  value: T;
}

/**
 * A received command with its body decoded: `ok` and `value`, or not `ok` and the `decodeError`.
 *
 * @example
 * ```ts
 * const device = (cmd: TypedCommandReceive<{ device: string }>) => (cmd.ok ? cmd.value.device : undefined);
 * ```
 */
export type TypedCommandReceive<T> = CommandReceive & Decoded<T>;

/**
 * What a typed command handler is given: a command whose body decoded.
 *
 * @example
 * ```ts
 * const handler = (cmd: DecodedCommand<{ device: string }>) => console.log(cmd.value.device);
 * ```
 */
export type DecodedCommand<T> = CommandReceive & {
  /** Always true: only messages whose body decoded get here. */
  readonly ok: true;
  /** The decoded value. */
  readonly value: T;
};

/**
 * A typed command handler: returning means executed, throwing means `executed: false`. A command
 * whose body does not decode never reaches it: the sender gets `executed: false` with the
 * DecodeError's message, and `onError` gets the DecodeError.
 *
 * @example
 * ```ts
 * const reboot: TypedCommandHandler<{ device: string }> = async (cmd) => {
 *   console.log('rebooting', cmd.value.device);
 * };
 * ```
 */
export type TypedCommandHandler<T> = (
  command: DecodedCommand<T>,
  context: HandlerContext,
) => CommandHandlerResult | void | Promise<CommandHandlerResult | void>;

/**
 * Options of {@link commandChannel}.
 *
 * @example
 * ```ts
 * const options: CommandChannelOptions<string> = { channel: 'devices.reboot', codec: textCodec() };
 * ```
 */
export interface CommandChannelOptions<T> {
  /** The channel; a wildcard pattern can be served or subscribed to, not sent to. */
  channel: string;
  /** Encodes sent commands and decodes received ones. */
  codec: Codec<T>;
}

/**
 * One commands channel with a codec: the methods of {@link CommandsClient}, with the channel
 * fixed and values instead of bodies. Made by {@link commandChannel}; give it to
 * `commandResponder()` to serve it with a typed handler.
 *
 * Only an object made by {@link commandChannel} is accepted as a typed channel by
 * `commandResponder()`: another object of this shape, such as a decorator or a test double, is
 * refused with a `ValidationError` (`invalid client`). A test double should wrap a real client (and
 * hand these functions the client itself), or run against the broker of `@kubemq/testing`.
 *
 * @example
 * ```ts
 * const reboots: CommandChannel<{ device: string }> = commandChannel(client, { channel: 'devices.reboot', codec: jsonCodec() });
 * await reboots.send({ value: { device: 'dev-42' }, timeoutMs: 5000 });
 * ```
 */
export interface CommandChannel<T> {
  /** The channel (or pattern) this handle works on. */
  readonly channel: string;
  /** Encodes `command.value` and sends it (see {@link CommandsClient.send}); a refused value is a ValidationError naming `value`. */
  send(command: TypedCommand<T>, options?: RequestOptions): Promise<CommandResponse>;
  /** Raw subscription (see {@link CommandsClient.subscribe}) with every command decoded; answer with {@link CommandChannel.reply}. */
  subscribe(subscription?: Omit<CommandsSubscription, 'channel'>): IterableObservable<TypedCommandReceive<T>>;
  /** Answers a received command (see {@link CommandsClient.reply}). */
  reply(reply: CommandReply, options?: CallOptions): Promise<void>;
}

/** {@link CommandChannel} through a {@link CommandsClient}, which does the work. */
class CodecCommandChannel<T> implements CommandChannel<T> {
  readonly channel: string;
  readonly #commands: CommandsOnClient;
  readonly #codec: Codec<T>;

  constructor(commands: CommandsOnClient, options: CommandChannelOptions<T>) {
    ({ channel: this.channel, codec: this.#codec } = typedChannelConfig<T>(options, 'commands.channel'));
    this.#commands = commands;
  }

  send(command: TypedCommand<T>, options?: RequestOptions): Promise<CommandResponse> {
    const place = { operation: 'commands.send', channel: this.channel, noun: 'command' };
    return sendTyped(command, this.#codec, place, (untyped) => this.#commands.send(untyped, options));
  }

  subscribe(given?: Omit<CommandsSubscription, 'channel'>): IterableObservable<TypedCommandReceive<T>> {
    // Options that are no object (5, null) are refused as the untyped call refuses them: spread,
    // they would be {} and every default would silently apply.
    const subscription = optionsObject(given, 'commands.subscribe');
    const raw = this.#commands.subscribe({ ...subscription, channel: this.channel });
    return decodeEach(raw, this.#codec, 'commands.subscribe', subscription.bufferSize);
  }

  reply(reply: CommandReply, options?: CallOptions): Promise<void> {
    return this.#commands.reply(reply, options);
  }

  /** How `commandResponder(channel, …)` serves here: on this channel, every command decoded first. */
  serveThrough(options: Omit<HandleOptions<CommandReceive>, 'channel'>, handler: TypedCommandHandler<T>): ServeThrough<CommandReceive> {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new ValidationError({ message: 'invalid options: must be an object', operation: 'commands.handle', channel: this.channel, field: 'options' });
    }
    const codec = this.#codec;
    return {
      engine: this.#commands.engine,
      options: { ...options, channel: this.channel },
      handler: (command, context) => {
        const decoded = decodeReceived(command, codec, 'commands.handle');
        // Thrown: the responder answers executed:false with its message and reports it.
        if (!decoded.ok) throw decoded.decodeError;
        return handler(decoded, context);
      },
    };
  }
}

/**
 * A typed commands channel: values in, decoded values out, through `codec`. Attach it to a
 * client or to a {@link CommandsClient}. Nothing of it is bundled unless it is imported.
 *
 * @example
 * ```ts
 * import { KubemqClient, jsonCodec } from '@kubemq/core';
 * import { commandChannel, commandResponder } from '@kubemq/rpc';
 *
 * interface Reboot { device: string }
 * const client = await KubemqClient.connect({ address: 'localhost:50000' });
 * const reboots = commandChannel(client, { channel: 'devices.reboot', codec: jsonCodec<Reboot>() });
 * await using responder = commandResponder(reboots, {}, async (cmd) => console.log('rebooting', cmd.value.device));
 * await responder.ready();
 * const res = await reboots.send({ value: { device: 'dev-42' }, timeoutMs: 5000 });
 * console.log(res.executed);
 * ```
 */
export function commandChannel<T>(client: KubemqClient | CommandsClient, options: CommandChannelOptions<T>): CommandChannel<T> {
  const commands = patternClientFor(client, (c): c is CommandsOnClient => c instanceof CommandsOnClient, (c) => new CommandsOnClient(c), 'commands.channel');
  const channel = new CodecCommandChannel(commands, options);
  registerServeThrough<CommandReceive>(channel, (o, handler: TypedCommandHandler<T>) => channel.serveThrough(o, handler));
  return channel;
}
