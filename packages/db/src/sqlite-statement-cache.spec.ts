import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { withStatementCache } from './sqlite-statement-cache';

describe('SQLite prepared statement cache', () => {
  let dir: string;
  let sqlite: BetterSqlite3.Database;
  let cached: ReturnType<typeof withStatementCache>;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-statements-'));
    sqlite = new BetterSqlite3(path.join(dir, 'db.sqlite'));
    sqlite.exec('create table items (id integer primary key, name text)');
    sqlite.prepare('insert into items (name) values (?), (?), (?)').run('a', 'b', 'c');
    cached = withStatementCache(sqlite, 2);
  });
  afterAll(() => {
    cached.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reuses a statement, with fresh parameters each run', () => {
    const select = 'select name from items where id = ?';
    expect(cached.prepare(select)).toBe(cached.prepare(select));
    expect(cached.prepare(select).get(1)).toEqual({ name: 'a' });
    expect(cached.prepare(select).get(3)).toEqual({ name: 'c' });
  });

  it('gives a fresh statement while the cached one is in the middle of a stream', () => {
    const all = 'select name from items order by id';
    const names: string[] = [];
    for (const row of cached.prepare(all).iterate() as IterableIterator<{ name: string }>) {
      names.push(row.name, ...(cached.prepare(all).all() as { name: string }[]).map((inner) => inner.name.toUpperCase()));
      break;
    }
    expect(names).toEqual(['a', 'A', 'B', 'C']);
  });

  it('sees a schema change made after the statement was cached (a migration)', () => {
    const star = 'select * from items where id = ?';
    expect(cached.prepare(star).get(2)).toEqual({ id: 2, name: 'b' });
    sqlite.exec("alter table items add column note text default 'new'");
    expect(cached.prepare(star).get(2)).toEqual({ id: 2, name: 'b', note: 'new' });
  });

  it('keeps at most the given number of statements, dropping the oldest', () => {
    const [first, second, third] = ['select 1 as n', 'select 2 as n', 'select 3 as n'];
    const kept = cached.prepare(first!);
    cached.prepare(second!);
    cached.prepare(third!);
    expect(cached.prepare(first!)).not.toBe(kept);
    expect(cached.prepare(first!).get()).toEqual({ n: 1 });
  });
});
