import { warmUpCount } from './warm-up.mjs';

describe('bench warm-up', () => {
  it('takes 50 sends of 100 messages for the queue scenarios', () => {
    expect(warmUpCount('queues-stream', 8000)).toBe(5000);
    expect(warmUpCount('queues-simple', 8000)).toBe(5000);
  });

  it('takes 5,000 messages where a send carries one', () => {
    expect(warmUpCount('events-store', 8000)).toBe(5000);
    expect(warmUpCount('events-stream', 15000)).toBe(5000);
  });

  it('never sends more than the run measures', () => {
    expect(warmUpCount('rpc', 2500)).toBe(2500);
    expect(warmUpCount('rpc', 120)).toBe(120);
    expect(warmUpCount('queues-stream', 1600)).toBe(1600);
  });
});
