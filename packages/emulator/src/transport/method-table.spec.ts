import * as grpc from '@grpc/grpc-js';
import { ERR_200_SERVER_CRASHED } from '../service/errors.js';
import { METHOD_NAMES, methodTable, type MethodHandlers } from './method-table.js';

const handlers = (override: Partial<MethodHandlers> = {}): MethodHandlers =>
  ({ ...Object.fromEntries(METHOD_NAMES.map((n) => [n, () => undefined])), ...override }) as MethodHandlers;

describe('methodTable', () => {
  it('registers all 15 methods and refuses a missing one', () => {
    expect(Object.keys(methodTable(handlers()))).toHaveLength(15);
    expect(() => methodTable({ ...handlers(), ping: undefined } as unknown as MethodHandlers)).toThrow(/no handler for kubemq.kubemq\/ping/);
  });

  it('turns a throwing handler into UNKNOWN Error 200 (§5.1)', () => {
    const crashes: string[] = [];
    const table = methodTable(
      handlers({
        ping: () => {
          throw new Error('boom');
        },
        subscribeToEvents: () => {
          throw new Error('boom');
        },
      }),
      (m) => crashes.push(m),
    );
    let unaryErr: grpc.ServiceError | undefined;
    (table['ping'] as (c: unknown, cb: (e: grpc.ServiceError) => void) => void)({}, (e) => (unaryErr = e));
    expect([unaryErr?.code, unaryErr?.details]).toEqual([grpc.status.UNKNOWN, ERR_200_SERVER_CRASHED]);
    let streamErr: grpc.ServiceError | undefined;
    (table['subscribeToEvents'] as (c: unknown) => void)({ emit: (_e: string, err: grpc.ServiceError) => (streamErr = err) });
    expect(streamErr?.code).toBe(grpc.status.UNKNOWN);
    expect(crashes).toEqual(['ping', 'subscribeToEvents']);
  });
});
