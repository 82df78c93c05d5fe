/** What the broker says about itself (`client.ping()`). */
export interface ServerInfo {
  /** The broker node's name. */
  readonly host: string;
  /** The broker's version, e.g. `v2.4.0` (empty when the build set none). */
  readonly version: string;
  /** When the broker process started (the broker reports whole seconds). */
  readonly startedAt: Date;
  /** Seconds since the broker started. */
  readonly uptimeSeconds: number;
}
