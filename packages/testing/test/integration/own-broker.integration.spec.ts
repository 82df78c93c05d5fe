// ownBroker(): a broker of the test file's own, started with a setting the shared broker lacks.
import { ping } from '../../src/index.js';
import { ownBroker, sharedBroker } from '../../src/jest/index.js';

const own = ownBroker('HOST=own-broker-test', { env: { HOST: 'own-broker-test' } });

describe('ownBroker', () => {
  own.it('has started a broker of its own, with its settings, before the tests run', async () => {
    expect(own.broker.address).not.toBe(sharedBroker().address);
    expect((await ping({ address: own.broker.address })).host).toBe('own-broker-test');
  });
});
