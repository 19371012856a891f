// `yuchi demo seed --model …` refuses what it cannot do with a message and a non-zero exit, and
// writes nothing (the demo tenants themselves are built in test/core/model-demos.test.ts).
import { describe, expect, it } from 'vitest';
import { testDb } from '../helpers.ts';
import { yuchi } from './yuchi.ts';



describe('yuchi demo seed --model', () => {
  it('names the valid models for an unknown one, and refuses --model with --tenant or a bad size, creating no tenant', async () => {
    const unknown = await yuchi(['demo', 'seed', '--model', 'bakery']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown --model "bakery": use one of shopping, expert, advisor, interest, all');

    const both = await yuchi(['demo', 'seed', '--model', 'shopping', '--tenant', 'mine']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/leave out --tenant/);

    const size = await yuchi(['demo', 'seed', '--model', 'expert', '--customers', 'many', '--json']);
    expect(size.code).not.toBe(0);
    expect(JSON.parse(size.stdout)).toEqual({ error: { message: '--customers must be a whole number ≥ 1 (got "many")' } });

    const neither = await yuchi(['demo', 'seed']);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(/--tenant <slug>, or --model shopping\|expert\|advisor\|interest\|all/);

    expect(await testDb().db.selectFrom('tenants').select('slug').where('slug', '=', 'mine').execute()).toEqual([]);
  });
});
