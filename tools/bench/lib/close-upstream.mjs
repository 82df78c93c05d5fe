// The safe close of a raw QueuesUpstream call (docs/broker-behaviour.md §5.3): a broker that sees
// the cancel before it read the half-close can crash, and a grpc-js cancel() sends both back to
// back. So: half-close, two pings (the second travels behind the half-close), then cancel.

/** `client` is a grpc-js kubemq service client, `call` its queuesUpstream() call. */
export async function closeUpstream(client, call) {
  call.end();
  for (let i = 0; i < 2; i++) await new Promise((resolve, reject) => client.ping({}, (err) => (err ? reject(err) : resolve())));
  call.cancel();
}
