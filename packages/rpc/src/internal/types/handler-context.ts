/**
 * What a responder's handler gets besides the request.
 *
 * @example
 * ```ts
 * const handler: CommandHandler = async (cmd, { signal }: HandlerContext) => {
 *   await fetch(`https://devices.example/${cmd.text()}/reboot`, { method: 'POST', signal });
 * };
 * ```
 */
export interface HandlerContext {
  /**
   * Aborted when the sender has stopped waiting: the request's `timeoutMs` has passed since it
   * arrived here. Pass it on to work you can cancel; a reply after it is dropped by the broker.
   */
  readonly signal: AbortSignal;
}
