// Micro-benchmark behind the PolledMessage class in packages/queues/src/internal/downstream/transaction.ts:
// the cost of building a polled queue message as an object literal (spread + getter + closures),
// as it was first written, against a class with own closures and a prototype getter.
//   node tools/bench/micro/polled-message-shape.bench.mjs
const decoder = new TextDecoder();
function received(i) { const body = new Uint8Array(16); return { id: 'id' + i, channel: 'c', body, metadata: '', tags: {}, clientId: 'x', sequence: i, timestamp: new Date(), timestampNanos: 1n, receiveCount: 1, reRouted: false, reRoutedFromQueue: undefined, expiresAt: undefined, delayedTo: undefined, policy: undefined, text: () => decoder.decode(body), json: () => JSON.parse(decoder.decode(body)) }; }
const ledger = { messageState: (s) => 'pending' }; const tx = { settleSome() {} };
function wrapSpread(message) { const seq = message.sequence; const polled = { ...message, transactionId: 't', get settlement() { return ledger.messageState(seq); }, ack: (o) => tx.settleSome('ack', seq, o), nack: (o) => tx.settleSome('nack', seq, o), requeue: (c, o) => tx.settleSome('requeue', seq, c, o) }; return polled; }
class Polled { constructor(m, tx) { Object.assign(this, m); this.transactionId = 't'; this.tx = tx; } get settlement() { return ledger.messageState(this.sequence); } ack(o) { return this.tx.settleSome('ack', this.sequence, o); } nack(o) { return this.tx.settleSome('nack', this.sequence, o); } requeue(c, o) { return this.tx.settleSome('requeue', this.sequence, c, o); } }
const N = 400000; let keep;
for (const [name, f] of [['spread+getter', wrapSpread], ['class', (m) => new Polled(m, tx)], ['spread+getter', wrapSpread], ['class', (m) => new Polled(m, tx)]]) {
  const t = process.hrtime.bigint(); const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) { keep = f(received(i)); }
  const c = process.cpuUsage(c0); console.log(name, (Number(process.hrtime.bigint() - t) / N / 1000).toFixed(2), 'µs/msg wall', ((c.user + c.system) / N).toFixed(2), 'µs cpu');
}
function spreadNoGetter(message) { const seq = message.sequence; const polled = { ...message, transactionId: 't', ack: (o) => tx.settleSome('ack', seq, o), nack: (o) => tx.settleSome('nack', seq, o), requeue: (c, o) => tx.settleSome('requeue', seq, c, o) }; Object.defineProperty(polled, 'settlement', { get: () => ledger.messageState(seq), enumerable: true }); return polled; }
class PolledOwn { constructor(m, tx) { Object.assign(this, m); const seq = m.sequence; this.transactionId = 't'; this.ack = (o) => tx.settleSome('ack', seq, o); this.nack = (o) => tx.settleSome('nack', seq, o); this.requeue = (c, o) => tx.settleSome('requeue', seq, c, o); } get settlement() { return ledger.messageState(this.sequence); } }
function spreadOnly(message) { return { ...message, transactionId: 't' }; }
for (const [name, f] of [['spread, no getter, defineProperty', spreadNoGetter], ['class + own arrow fields', (m) => new PolledOwn(m, tx)], ['spread only', spreadOnly], ['received only', (m) => m]]) {
  const t = process.hrtime.bigint(); const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) { keep = f(received(i)); }
  const c = process.cpuUsage(c0); console.log(name, (Number(process.hrtime.bigint() - t) / N / 1000).toFixed(2), 'µs/msg wall', ((c.user + c.system) / N).toFixed(2), 'µs cpu');
}
