// The queue messages of the micro-benchmarks, in the wire's shape: what a Get answer of the bench's
// queue scenarios carries (1 KB bodies, a producer's ids and channel, attributes as the broker sets them).

/** `count` wire QueueMessages with sequences 1..count, stamped now. */
export function benchQueueMessages(count) {
  const now = BigInt(Date.now()) * 1_000_000n;
  return Array.from({ length: count }, (_, i) => ({
    MessageID: crypto.randomUUID(),
    ClientID: 'bench-producer',
    Channel: 'bench.queues-stream-1kb',
    Metadata: '',
    Body: Buffer.alloc(1024, 120),
    Tags: {},
    Attributes: { Timestamp: now, Sequence: BigInt(i + 1), MD5OfBody: '', ReceiveCount: 1, ReRouted: false, ReRoutedFromQueue: '', ExpirationAt: 0n, DelayedTo: 0n },
    Policy: undefined,
  }));
}
