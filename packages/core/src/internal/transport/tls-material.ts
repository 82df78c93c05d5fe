/** PEM material for the channel, already read from files or options. */
export interface TlsMaterial {
  /** Trusted CA certificates; absent → the system roots. */
  ca?: Buffer;
  /** Client certificate chain and key, for mTLS. */
  cert?: Buffer;
  key?: Buffer;
  /** The name the server certificate must carry, when it differs from the address host. */
  serverName?: string;
}
