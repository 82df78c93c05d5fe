/** What the broker says about itself (`client.ping()`). */
export interface ServerInfo {
  /** The broker node's name. */
  host: string;
  /** The broker's version, e.g. `v2.4.0` (empty when the build set none). */
  version: string;
  /** When the broker process started (the broker reports whole seconds). */
  startedAt: Date;
  /** Seconds since the broker started. */
  uptimeSeconds: number;
}
