import { ownBroker } from './own-broker.js';

// On an external broker nothing starts: the file's tests skip, with the reason printed.
const logs: string[] = [];
const spy = jest.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(line));
const saved = process.env['KUBEMQ_ADDRESS'];
process.env['KUBEMQ_ADDRESS'] = '127.0.0.1:1';
const own = ownBroker('GRPC_BODY_LIMIT=65536', { env: { GRPC_BODY_LIMIT: '65536' } });
if (saved === undefined) delete process.env['KUBEMQ_ADDRESS'];
else process.env['KUBEMQ_ADDRESS'] = saved;
own.it('is skipped on an external broker', () => {
  throw new Error('must not run');
});
spy.mockRestore();

describe('ownBroker on an external broker', () => {
  it('starts nothing, says so, and skips its tests with the reason', () => {
    expect(own.available).toBe(false);
    expect(() => own.broker).toThrow(/external broker \(GRPC_BODY_LIMIT=65536\)/);
    expect(logs).toEqual([
      'skipped: is skipped on an external broker (needs a broker of its own (GRPC_BODY_LIMIT=65536); an external broker (KUBEMQ_ADDRESS) is not started by the tests)',
    ]);
  });
});
