/**
 * The telemetry seam of the SDK: the patterns describe each messaging operation with a
 * {@link MessagingOperation}, and whatever {@link Telemetry} the client was given turns it into
 * spans and metrics. `openTelemetry()` from `@kubemq/core/opentelemetry` is the implementation
 * that ships; without one nothing is recorded and nothing telemetry-related is loaded.
 */

/** The five KubeMQ patterns, as the broker names their channel types. */
export type MessagingPattern = 'events' | 'events_store' | 'queues' | 'commands' | 'queries';

/**
 * What an operation does, in the OpenTelemetry messaging conventions' terms
 * (`messaging.operation.type`): `send` a message (or a batch, or a request), `receive` messages
 * the client pulled (queue polls), `process` one delivered message (a subscription's callback,
 * a handler), `settle` pulled messages (ack, nack, requeue).
 */
export type MessagingOperationType = 'send' | 'receive' | 'process' | 'settle';

/** One messaging operation, as a pattern describes it to {@link Instrumentation.start}. */
export interface MessagingOperation {
  /** The pattern it belongs to. */
  readonly pattern: MessagingPattern;
  /** What it does. */
  readonly type: MessagingOperationType;
  /** The SDK's name for it (`messaging.operation.name`): `send`, `poll`, `ack`, `nack`, `requeue`, `process`, … */
  readonly name: string;
  /** The channel (queue, topic) it works on; `''` for a batch that spans several. */
  readonly channel: string;
  /** The message id, for operations on one message. */
  readonly messageId?: string;
  /** The body size in bytes, for operations on one message. */
  readonly bodySize?: number;
  /**
   * How many messages it carries, for batches, polls and settlements (counted by the metrics).
   * `openTelemetry()` puts it on the span (`messaging.batch.message_count`) only when it is not 1:
   * the conventions leave the count off operations on a single message, whose id they carry instead.
   */
  readonly messageCount?: number;
  /** The consumer group, for subscriptions with one. */
  readonly group?: string;
  /**
   * The tags of the messages involved. `send`: each outgoing message's tags, where the trace
   * context is written (tags the caller already set under the propagator's keys are left alone);
   * `process`: the delivered message's tags, where its producer's context is read (the span's
   * parent, and a link); `receive` and `settle`: the tags of the messages, whose contexts become links.
   */
  readonly tags?: readonly Record<string, string>[];
  /**
   * Whether the SDK started it on its own, not a call of the application: a consumer's or a
   * subscription's polls and the settlements it makes for the handler. It then belongs to no trace
   * the application has open (the loop may outlive the span it was created in by hours), so it
   * starts a trace of its own. A `process` operation is always treated so: its parent is its
   * message's context, never the caller's. Default: false, the operation continues the active trace.
   */
  readonly detached?: boolean;
  /**
   * When it began, for operations described only once they are over (a poll: its messages are
   * known when it returns). Default: now.
   */
  readonly startedAt?: Date;
}

/**
 * An operation in progress; end it exactly once. The client guards it: a `run` or `end` that
 * throws is ignored (`run` still calls its function, once), so telemetry never breaks messaging.
 */
export interface OperationSpan {
  /** Runs `fn` with this operation as the active trace context, so spans started inside are its children. */
  run<R>(fn: () => R): R;
  /** Ends the operation; an error marks it failed (`error.type` is the KubemqError code or the error's name). */
  end(error?: unknown): void;
}

/** Telemetry bound to one client (its address and id go on every span). */
export interface Instrumentation {
  /** Starts one operation. One that throws is logged (once per client) and the operation goes on untraced. */
  start(operation: MessagingOperation): OperationSpan;
  /** The connection came back after a loss. */
  reconnected(): void;
  /** Something was tried again: a stream re-opened after a break, a call repeated after a token refresh. */
  retried(operation: string, reason: RetryReason): void;
}

/** Why an operation was tried again. */
export type RetryReason = 'stream_reopen' | 'token_refresh';

/** What a client is, for its {@link Instrumentation}. */
export interface TelemetryClientInfo {
  /** `host:port` of the broker. */
  readonly address: string;
  /** The client's id. */
  readonly clientId: string;
}

/**
 * A source of telemetry, given to `KubemqClient.connect({ telemetry })`. Implement it to feed
 * another system; `openTelemetry()` from `@kubemq/core/opentelemetry` feeds OpenTelemetry.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { openTelemetry } from '@kubemq/core/opentelemetry';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', telemetry: openTelemetry() });
 * ```
 */
export interface Telemetry {
  /** Called once per client, at connect. If it throws, the client logs a warning and records nothing. */
  instrument(client: TelemetryClientInfo): Instrumentation;
}
