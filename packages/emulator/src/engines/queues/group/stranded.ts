// A subscription stranded by a kill, or by a stop that found its Get still waiting, as the server
// recovers it at its restart (kubemq-io/broker server/stan/server/server.go recoverOneSub): a
// member of the queue's group again, its pooled client recovered as connected and dropped only
// after 120 missed daily heartbeats, with MaxInflight = the Get's MaxItems and an ack wait of 365
// days. stan deals it messages while it has room, as to any member (the fewest unacked first);
// nobody reads them and nothing acks them, so what it holds is never delivered again.
import type { StoredMessage } from '../messages.js';
import type { Consumer } from './consumer.js';

export class StrandedConsumer implements Consumer {
  /** It takes messages as they are: no policy runs for a subscription nobody reads. */
  readonly raw = true;
  /** Sequences it holds (stan's pending acks), kept until a restart finds them removed by retention. */
  readonly holding = new Set<number>();

  constructor(
    private readonly maxInflight: number,
    /** Marks a message it took as stranded. */
    private readonly strand: (m: StoredMessage) => void,
  ) {}

  room(): number {
    return this.maxInflight - this.holding.size;
  }

  outstanding(): number {
    return this.holding.size;
  }

  take(m: StoredMessage): void {
    this.holding.add(m.seq);
    this.strand(m);
  }
}
