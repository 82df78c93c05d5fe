import type { MessageBody, Tags } from '@kubemq/core';
import type { HandlerContext } from './handler-context.js';

/**
 * A command to send: an instruction for exactly one answer, executed or not (no data back).
 *
 * @example
 * ```ts
 * const reboot: Command = { channel: 'devices.reboot', body: 'dev-1', tags: { by: 'ops' }, timeoutMs: 5000 };
 * ```
 */
export interface Command {
  /** Target channel; no wildcards. */
  channel: string;
  /** Payload; strings are sent as UTF-8. A command needs a body or metadata. */
  body?: MessageBody | undefined;
  /** Free-form text sent with the command (a command needs a body or metadata). */
  metadata?: string | undefined;
  /** String key/value pairs sent with the command. */
  tags?: Tags | undefined;
  /** Request id; generated when absent, so you can correlate the response. */
  id?: string | undefined;
  /**
   * How long the broker waits for a responder, in ms (a positive integer): past it the send fails
   * with a `TimeoutError`. The call itself may take this plus a margin (10 %, at least 1 s), so
   * that the broker's answer arrives first. Default: the client's `defaultTimeoutMs`.
   */
  timeoutMs?: number | undefined;
}

/**
 * The answer to a {@link Command}. `executed: false` is an application answer (the responder said
 * it failed), returned, not thrown; no answer in time throws `TimeoutError`.
 *
 * @example
 * ```ts
 * const report = (res: CommandResponse) => (res.executed ? `done by ${res.responderId}` : `refused: ${res.error}`);
 * ```
 */
export interface CommandResponse {
  /** The request id. */
  readonly id: string;
  /** Whether the responder executed the command. */
  readonly executed: boolean;
  /** The responder's error text, when it set one. */
  readonly error: string | undefined;
  /**
   * When the responder executed it, as the responder stated (the broker never sets it);
   * undefined when the responder sent none.
   */
  readonly executedAt: Date | undefined;
  /** The tags the responder set in its reply. */
  readonly tags: Readonly<Tags>;
  /** The client id of the responder that answered. */
  readonly responderId: string;
}

/**
 * A command as a responder receives it.
 *
 * @example
 * ```ts
 * const describe = (cmd: CommandReceive) => `${cmd.clientId} asks ${cmd.channel}: ${cmd.text()}`;
 * ```
 */
export interface CommandReceive {
  /** The request id; echo it in the reply. */
  readonly id: string;
  /** The channel the command was sent to (concrete, also for wildcard subscriptions). */
  readonly channel: string;
  /** The payload as bytes; `text()` and `json()` decode it. */
  readonly body: Uint8Array;
  /** The sender's metadata (`''` when none). */
  readonly metadata: string;
  /** The sender's tags (`{}` when none). */
  readonly tags: Readonly<Tags>;
  /** Where the reply goes; filled in by the broker. Echo it in the reply. */
  readonly replyChannel: string;
  /** The client id of the sender. */
  readonly clientId: string;
  /**
   * The sender's timeout in ms: after it a reply is useless (the broker drops it). 0 when the broker
   * did not pass it on (some server versions clear it, with the cache key and TTL): the handler's
   * `signal` then never aborts for it.
   */
  readonly timeoutMs: number;
  /** Cache key the sender set, if any (commands are never cached; other SDKs may still set it). */
  readonly cacheKey: string | undefined;
  /** Cache TTL the sender set, in whole seconds, if any. */
  readonly cacheTtlSeconds: number | undefined;
  /** The body decoded as UTF-8. */
  text(): string;
  /** The body parsed as JSON. */
  json<T = unknown>(): T;
}

/**
 * A responder's answer to a {@link CommandReceive}. The broker clears a command reply's body and
 * metadata, so a command reply carries neither.
 *
 * @example
 * ```ts
 * const refuse = (cmd: CommandReceive): CommandReply => ({ requestId: cmd.id, replyChannel: cmd.replyChannel, error: 'device is locked' });
 * ```
 */
export interface CommandReply {
  /** The received command's `id`. */
  requestId: string;
  /** The received command's `replyChannel`. */
  replyChannel: string;
  /** Default: true unless `error` is set. */
  executed?: boolean | undefined;
  /** Why it was not executed. */
  error?: string | undefined;
  /** Tags sent back to the sender. */
  tags?: Tags | undefined;
  /** Default: now. Sent in whole seconds (the unit the Go SDK reads), so milliseconds are dropped. */
  executedAt?: Date | undefined;
}

/**
 * What a command handler may return: the reply without the routing fields (all optional).
 *
 * @example
 * ```ts
 * const result: CommandHandlerResult = { tags: { device: 'dev-1' } };
 * ```
 */
export type CommandHandlerResult = Omit<CommandReply, 'requestId' | 'replyChannel'>;

/**
 * A command handler: return normally → executed; throw → executed = false with the error's message.
 * `context.signal` aborts when the sender stops waiting.
 *
 * @example
 * ```ts
 * const handler: CommandHandler = (cmd) => ({ tags: { device: cmd.text() } });
 * ```
 */
export type CommandHandler = (
  command: CommandReceive,
  context: HandlerContext,
) => CommandHandlerResult | void | Promise<CommandHandlerResult | void>;

/**
 * What a commands responder subscribes to: {@link CommandsClient.subscribe}.
 *
 * @example
 * ```ts
 * const options: CommandsSubscription = { channel: 'devices.*.reboot', group: 'agents', bufferSize: 256 };
 * ```
 */
export interface CommandsSubscription {
  /**
   * The channel to serve. Wildcards are allowed here (`devices.*` matches one token,
   * `devices.>` one or more), never on send.
   */
  channel: string;
  /**
   * A consumer group: each command reaches exactly one member of the group. Without a group every
   * subscriber receives every command and the first answer wins.
   */
  group?: string | undefined;
  /**
   * How many received commands may wait for a slow `for await` loop (default 1024): one more ends
   * the loop with an `IteratorOverflowError` instead of growing without bound.
   */
  bufferSize?: number | undefined;
  /**
   * Aborting it ends the subscription quietly: a subscriber sees it complete, and a `for await`
   * loop ends (at once while it waits for a request, else at its next step). Already aborted,
   * nothing is opened.
   */
  signal?: AbortSignal | undefined;
}
