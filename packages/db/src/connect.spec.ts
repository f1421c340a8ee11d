import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { sql } from 'kysely';
import { openDatabase } from './connect';

const postgresAdminUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

describe('openDatabase on postgres when the server drops connections', () => {
  const name = `babelfish_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new Client({ connectionString: postgresAdminUrl });

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  });
  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  it('survives an idle connection being terminated (restart, failover) and reconnects on the next query', async () => {
    const dropped: Error[] = [];
    const handle = openDatabase(postgresAdminUrl.replace(/\/[^/]*$/, `/${name}`), { onIdleConnectionError: (error) => dropped.push(error) });
    try {
      const before = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(handle.db);
      const pid = before.rows[0]!.pid;
      // What a PostgreSQL restart or an RDS failover does to every pooled connection.
      const terminated = await admin.query('select pg_terminate_backend($1) as ok', [pid]);
      expect(terminated.rows[0].ok).toBe(true);
      for (let waited = 0; dropped.length === 0 && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(dropped.map((error) => (error as Error & { code?: string }).code)).toEqual(['57P01']);

      const after = await sql<{ pid: number; answer: number }>`select pg_backend_pid() as pid, 41 + 1 as answer`.execute(handle.db);
      expect(after.rows[0]!.answer).toBe(42);
      expect(after.rows[0]!.pid).not.toBe(pid);
    } finally {
      await handle.close();
    }
  });
});
