import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { PREPARED } from '../../src/db/connect.ts';
import { testDb } from '../helpers.ts';

describe('prepared statements', () => {
  it('runs marked queries as named prepared statements and leaves the rest unnamed', async () => {
    const { db } = testDb();
    await db.connection().execute(async (conn) => {
      const named = async (): Promise<string[]> =>
        (await sql<{ name: string }>`select name from pg_prepared_statements order by name`.execute(conn)).rows.map((r) => r.name);
      const before = await named();
      await sql`select 1 as plain where ${1} = 1`.execute(conn);
      expect(await named()).toEqual(before);
      await sql`${PREPARED} select 2 as hot where ${1} = 1`.execute(conn);
      const after = await named();
      const added = after.filter((n) => !before.includes(n));
      expect(added).toHaveLength(1);
      expect(added[0]).toMatch(/^y_/);
      // a second run reuses the statement instead of preparing another
      const again = await sql<{ hot: number }>`${PREPARED} select 2 as hot where ${1} = 1`.execute(conn);
      expect(again.rows).toEqual([{ hot: 2 }]);
      expect(await named()).toEqual(after);
    });
  });
});
