import { brokerInfoName, infoFilter } from './info-names.js';

describe('QueuesInfo names (the broker cutset trim, docs/broker-behaviour.md §2.4)', () => {
  it.each([
    ['orders', 'orders'],
    ['QA_S', 'A'],
    ['jobs.', 'jobs'], // the SDK never sends this name, but the trim would cut it
    ['_private', 'private'],
    ['Sales.EU', 'ales'],
    ['q.tasks', 'q.tasks'],
    ['tasks_', 'tasks'],
    ['QUEUES', ''],
  ])('%s is reported as %j', (name, reported) => {
    expect(brokerInfoName(name)).toBe(reported);
  });

  it('sends trimmed names and maps the answers back', () => {
    const { filter, realName } = infoFilter(['QA_S', 'orders', 'Sales.EU']);
    expect(filter).toBe('A;orders;ales');
    expect(realName.get('A')).toBe('QA_S');
    expect(realName.get('orders')).toBe('orders');
  });

  it('leaves names the broker cannot tell apart as the broker reports them', () => {
    const { filter, realName } = infoFilter(['Qa', 'a']);
    expect(filter).toBe('a');
    expect(realName.has('a')).toBe(false);
  });
});
