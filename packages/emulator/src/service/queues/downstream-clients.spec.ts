import { DOWNSTREAM_POOL_SIZE, DownstreamClients } from './downstream-clients.js';

describe('DownstreamClients', () => {
  it('hands the clients out in turn; a Get given a busy one waits for it, the others do not', async () => {
    const pool = new DownstreamClients();
    const order: string[] = [];
    let release!: () => void;
    const held = pool.run(() => new Promise<void>((resolve) => (release = resolve)).then(() => void order.push('held')));
    for (let i = 1; i < DOWNSTREAM_POOL_SIZE; i++) await pool.run(async () => void order.push(`free ${i}`));
    const behind = pool.run(async () => void order.push('behind'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toHaveLength(DOWNSTREAM_POOL_SIZE - 1);
    release();
    await Promise.all([held, behind]);
    expect(order.slice(-2)).toEqual(['held', 'behind']);
  });
});
