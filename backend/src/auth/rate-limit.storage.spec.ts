import { MikroORM } from '@mikro-orm/postgresql';
import pino from 'pino';
import { createTestDatabase, TestDatabase } from '../../test/setup/test-database';
import { mikroOrmOptions } from '../database/mikro-orm.options';
import { PostgresThrottlerStorage } from './rate-limit.storage';

describe(PostgresThrottlerStorage.name, () => {
  let database: TestDatabase;
  let orm: MikroORM;

  beforeAll(async () => {
    database = await createTestDatabase();
    orm = await MikroORM.init(mikroOrmOptions(database.url, pino({ level: 'silent' })));
    await orm.getMigrator().up();
  });

  afterAll(async () => {
    await orm?.close();
    await database?.drop();
  });

  it('counts hits and blocks the one over the limit', async () => {
    const storage = new PostgresThrottlerStorage(orm.em);

    const first = await storage.increment('send:count', 60_000, 2, 30_000);
    const second = await storage.increment('send:count', 60_000, 2, 30_000);
    const third = await storage.increment('send:count', 60_000, 2, 30_000);

    expect(first).toMatchObject({ totalHits: 1, isBlocked: false, timeToBlockExpire: 0 });
    expect(first.timeToExpire).toBe(60);
    expect(second).toMatchObject({ totalHits: 2, isBlocked: false });
    expect(third).toMatchObject({ totalHits: 3, isBlocked: true, timeToBlockExpire: 30 });
  });

  it('counts one budget for concurrent hits from several storages', async () => {
    const storages = [new PostgresThrottlerStorage(orm.em), new PostgresThrottlerStorage(orm.em)];

    const results = await Promise.all(Array.from({ length: 20 }, (_, hit) => storages[hit % 2].increment('send:shared', 60_000, 10, 60_000)));

    expect(results.map((result) => result.totalHits).sort((a, b) => a - b).slice(0, 11)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(results.filter((result) => result.isBlocked)).toHaveLength(10);
  });

  it('starts a new window after the block ends', async () => {
    const storage = new PostgresThrottlerStorage(orm.em);
    await storage.increment('login:198.51.100.7', 200, 1, 200);
    const blocked = await storage.increment('login:198.51.100.7', 200, 1, 200);
    await new Promise((resolve) => setTimeout(resolve, 300));

    const after = await storage.increment('login:198.51.100.7', 200, 1, 200);

    expect(blocked.isBlocked).toBe(true);
    expect(after).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('keeps other keys apart', async () => {
    const storage = new PostgresThrottlerStorage(orm.em);
    await storage.increment('send:tenant-a', 60_000, 1, 60_000);
    await storage.increment('send:tenant-a', 60_000, 1, 60_000);

    expect(await storage.increment('send:tenant-b', 60_000, 1, 60_000)).toMatchObject({ totalHits: 1, isBlocked: false });
  });
});
