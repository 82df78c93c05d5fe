// Server credentials (broker-behaviour.md §1.3): cert + key → TLS; with a CA the server still does not
// verify client certificates ("mTLS" in name only), unless the emulator-only requireClientCert is on.
import * as grpc from '@grpc/grpc-js';
import type { BrokerTlsConfig } from '../config.js';

export function serverCredentials(tls: BrokerTlsConfig | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  const ca = tls.caPem ? Buffer.from(tls.caPem) : null;
  return grpc.ServerCredentials.createSsl(
    ca,
    [{ private_key: Buffer.from(tls.keyPem), cert_chain: Buffer.from(tls.certPem) }],
    tls.requireClientCert,
  );
}
