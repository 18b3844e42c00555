import { Clock } from '@app/runtime';
import { DataSource } from 'typeorm';
import { createMigratedDataSource, TestDatabase } from '../../../../test/support/database';
import { PollDataRecorder } from './poll-data';

class FixedClock extends Clock {
  constructor(public at: number) {
    super();
  }
  override now(): number {
    return this.at;
  }
}

describe('poll data on real Postgres', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    ({ db, dataSource: ds } = await createMigratedDataSource('baton_polldata'));
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it("writes a gateway's notes in one flush, keeps the newest time per worker, and another gateway reads them", async () => {
    const clock = new FixedClock(1_700_000_000_000);
    const one = new PollDataRecorder(ds, clock);
    one.record('ship', 'w1', undefined);
    one.record('ship', 'w2', 'eu');
    clock.at += 5000;
    one.record('ship', 'w1', undefined);
    await one.onApplicationShutdown();

    const other = new PollDataRecorder(ds, new FixedClock(0));
    expect(await other.of('ship')).toEqual([
      { queueName: 'ship', workerId: 'w1', lastPollTime: 1_700_000_005_000 },
      { queueName: 'ship', domain: 'eu', workerId: 'w2', lastPollTime: 1_700_000_000_000 },
    ]);

    // An older note flushed later does not move the time back.
    const late = new PollDataRecorder(ds, new FixedClock(1_600_000_000_000));
    late.record('ship', 'w1', undefined);
    await late.onApplicationShutdown();
    expect((await other.of('ship')).find((p) => p.workerId === 'w1')?.lastPollTime).toBe(1_700_000_005_000);
    expect(await other.of('nothing')).toEqual([]);
  });
});
