import { expectedKind } from '../capabilities.js';
import { startKubemq } from '../start-kubemq.js';
import type { KubemqBroker, StartKubemqOptions } from '../types.js';
import { itSkipBecause, jestGlobal, type ConditionalIt } from './it-when.js';

type Hook = (fn: () => Promise<void>, timeout?: number) => void;

/** A broker a test file starts for itself: see {@link ownBroker}. */
export interface OwnBroker {
  /** `it`, or on an external broker `it.skip` with the reason printed. */
  readonly it: ConditionalIt;
  /** False on an external broker: nothing starts there, and every test of {@link OwnBroker.it} skips. */
  readonly available: boolean;
  /** The broker, once `beforeAll` has started it; reading it before, or where none can start, throws. */
  readonly broker: KubemqBroker;
}

/**
 * A broker of the test file's own: started in `beforeAll` with `options`, stopped in `afterAll`.
 * For tests that need a setting the shared broker lacks (an `env` such as `GRPC_BODY_LIMIT`), or
 * that would hold up other test files on a shared broker. An external broker (`KUBEMQ_ADDRESS`)
 * is not started by the tests and takes no settings, so there nothing starts and `it` skips each
 * test, printing `purpose`.
 *
 * Call it at the top of a file or of an outer `describe`: jest runs an outer `afterAll` after the
 * inner ones, so clients made in inner hooks close before the broker stops.
 *
 * @example
 * const own = ownBroker('GRPC_BODY_LIMIT=65536', { env: { GRPC_BODY_LIMIT: '65536' } });
 * describe('a lower size limit', () => {
 *   let client: KubemqClient;
 *   beforeAll(async () => { if (own.available) client = await connect({ address: own.broker.address }); });
 *   afterAll(() => client?.close());
 *   own.it('refuses an event over it', async () => { … });
 * });
 */
export function ownBroker(purpose: string, options: StartKubemqOptions = {}, startTimeoutMs = 60_000): OwnBroker {
  if (expectedKind() === 'external') {
    return {
      it: itSkipBecause(`needs a broker of its own (${purpose}); an external broker (KUBEMQ_ADDRESS) is not started by the tests`),
      available: false,
      get broker(): KubemqBroker {
        throw new Error(`ownBroker(): no broker of its own can start on an external broker (${purpose})`);
      },
    };
  }
  let started: KubemqBroker | undefined;
  jestGlobal<Hook>('beforeAll', 'ownBroker()')(async () => {
    started = await startKubemq(options);
  }, startTimeoutMs);
  jestGlobal<Hook>('afterAll', 'ownBroker()')(async () => {
    await started?.[Symbol.asyncDispose]();
  });
  return {
    it: jestGlobal<ConditionalIt>('it', 'ownBroker()'),
    available: true,
    get broker(): KubemqBroker {
      if (!started) throw new Error(`ownBroker(): the broker (${purpose}) is read before its beforeAll started it`);
      return started;
    },
  };
}
