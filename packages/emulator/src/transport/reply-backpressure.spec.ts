import { EventEmitter } from 'node:events';
import { silentLogger } from '../log.js';
import { replyWithBackpressure } from './reply-backpressure.js';

/** A fake grpc-js duplex call whose client reads nothing until `drainAll()`; high-water mark 16. */
class FakeCall extends EventEmitter {
  writableLength = 0;
  paused = false;
  write(): boolean {
    this.writableLength++;
    return this.writableLength < 16;
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  drainAll(): void {
    this.writableLength = 0;
    this.emit('drain');
  }
}

describe('replyWithBackpressure', () => {
  it('keeps reading while at most maxUnread replies wait', () => {
    const call = new FakeCall();
    const reply = replyWithBackpressure(call, { method: 'M', log: silentLogger, maxUnread: 100 });
    for (let i = 0; i < 100; i++) reply(i);
    expect(call.paused).toBe(false);
  });

  it('stops reading past maxUnread and reads again once every reply went out', () => {
    const call = new FakeCall();
    const lines: string[] = [];
    const log = { ...silentLogger, debug: (msg: string) => void lines.push(msg) };
    const reply = replyWithBackpressure(call, { method: 'M', log, maxUnread: 100 });
    for (let i = 0; i < 101; i++) reply(i);
    expect(call.paused).toBe(true);
    expect(lines).toEqual(['M: the client leaves its replies unread; stopped reading requests']);
    reply(101); // requests read before the stop are still answered
    expect(call.listenerCount('drain')).toBe(1);
    call.drainAll();
    expect(call.paused).toBe(false);
    expect(lines[1]).toBe('M: the client reads its replies again; reading requests again');
    for (let i = 0; i < 101; i++) reply(i);
    expect(call.paused).toBe(true); // and stops again
  });
});
