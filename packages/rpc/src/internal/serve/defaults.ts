// The handler helpers' defaults, apart from the responder itself so that the public entry point
// reaches them without reaching the responder's wire-level code.

/**
 * How many requests a responder's handler runs at once unless `concurrency` says otherwise.
 *
 * @example
 * ```ts
 * commandResponder(client, { channel: 'jobs', concurrency: DEFAULT_HANDLER_CONCURRENCY * 2 }, run);
 * ```
 */
export const DEFAULT_HANDLER_CONCURRENCY = 64;

/**
 * How long `Responder.ready()` keeps probing unless its `timeoutMs` says otherwise, in ms.
 *
 * @example
 * ```ts
 * await responder.ready({ timeoutMs: DEFAULT_READY_TIMEOUT_MS * 2 });
 * ```
 */
export const DEFAULT_READY_TIMEOUT_MS = 15_000;
