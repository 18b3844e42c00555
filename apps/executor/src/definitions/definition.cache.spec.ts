import type { PgNotificationHub } from '@app/persistence';
import type { Clock } from '@app/runtime';
import { DefinitionCache } from './definition.cache';

const hub = { subscribe: async () => () => undefined, onReconnect: () => () => undefined } as unknown as PgNotificationHub;
const clock = { now: () => 1_000 } as Clock;

describe('DefinitionCache', () => {
  it('serves a loaded definition until it is invalidated', async () => {
    const cache = new DefinitionCache(hub, clock);
    const load = jest.fn(async () => ({ v: 1 }));

    await cache.get('workflowdef:w', 'latest', load);
    await cache.get('workflowdef:w', 'latest', load);
    expect(load).toHaveBeenCalledTimes(1);

    cache.invalidate('workflowdef:w');
    await cache.get('workflowdef:w', 'latest', load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('does not keep a value whose load raced an invalidation (it may be the old definition)', async () => {
    const cache = new DefinitionCache(hub, clock);
    let finish!: (v: { v: number }) => void;
    const slow = cache.get('workflowdef:w', 'latest', () => new Promise<{ v: number }>((r) => (finish = r)));
    cache.invalidate('workflowdef:w'); // the change commits while the old row is being read
    finish({ v: 1 });
    expect(await slow).toEqual({ v: 1 });

    const fresh = jest.fn(async () => ({ v: 2 }));
    expect(await cache.get('workflowdef:w', 'latest', fresh)).toEqual({ v: 2 });
    expect(fresh).toHaveBeenCalledTimes(1);
  });

  it('does not cache a definition that does not exist', async () => {
    const cache = new DefinitionCache(hub, clock);
    const load = jest.fn(async () => null);
    await cache.get('workflowdef:none', 'latest', load);
    await cache.get('workflowdef:none', 'latest', load);
    expect(load).toHaveBeenCalledTimes(2);
  });
});
