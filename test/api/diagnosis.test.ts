// The diagnosis over HTTP on a demo fruit chain: measured from its orders, incomplete answers
// named, roles and tenants kept apart.
import { beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { demoEndOf, seedDemo } from '../../src/core/demo/demo.service.ts';
import { newId } from '../../src/core/ids.ts';
import { localDate } from '../../src/core/time.ts';
import { newTenant, testDb } from '../helpers.ts';
import { api, bearer, keyFor } from './harness.ts';

let app: FastifyInstance;
let tenantId: string;
let operator: Record<string, string>;
let guide: Record<string, string>;
let other: Record<string, string>;

beforeAll(async () => {
  app = await api();
  tenantId = (await newTenant()).id;
  const today = localDate(new Date(), 'Asia/Shanghai');
  await seedDemo(testDb(), { tenantId, customers: 600, months: 14, seed: 3, end: demoEndOf(today, 'Asia/Shanghai') });
  operator = bearer(await keyFor(tenantId, 'operator'));
  const staff = await testDb().db.selectFrom('staff').select('id').where('tenant_id', '=', tenantId).where('title', '=', 'guide').executeTakeFirstOrThrow();
  guide = bearer(await keyFor(tenantId, 'guide', staff.id));
  other = bearer(await keyFor((await newTenant()).id, 'admin'));
}, 120_000);

const answers = { industry: 'fresh_food', expertise: 'low', solution: 'complete', serviceStaff: 30, stores: 10, currentState: 'one_off_promotions' };

describe('diagnosis', () => {
  it('measures frequency, ticket and repurchase from the last year of orders, matching a recount', async () => {
    const res = await app.inject({ url: '/api/v1/diagnosis/measured', headers: operator });
    expect(res.statusCode).toBe(200);
    const { measured } = res.json();
    const check = await sql<{ buyers: number; orders: number; amount: number; repeaters: number }>`
      with days as (
        select customer_id, (ordered_at at time zone 'Asia/Shanghai')::date as d, count(*) as n, sum(paid_fen - refunded_fen) as amount
          from orders where tenant_id = ${tenantId} and customer_id is not null and status <> 'refunded' and ordered_at > now() - interval '365 days'
         group by 1, 2)
      select count(distinct customer_id)::int as buyers, sum(n)::int as orders, sum(amount)::int8 as amount,
             (select count(*) from (select customer_id from days group by 1 having count(*) > 1) r)::int as repeaters
        from days`.execute(testDb().db);
    const c = check.rows[0];
    if (!c) throw new Error('no recount');
    expect(measured.buyers).toBe(c.buyers);
    expect(measured.averageTicketFen).toBe(Math.round(c.amount / c.orders));
    expect(measured.repurchaseRate).toBeCloseTo(c.repeaters / c.buyers, 6);
    expect(measured.purchasesPerYear).toBeGreaterThan(1);
    // the footprint sees membership once the tenant has tiers
    expect(res.json().footprint.membership).toBe(false);
    await testDb().db.insertInto('membership_tiers').values({ tenant_id: tenantId, id: newId(), level: 0, name: '普通会员', min_value: 0, max_value: null }).execute();
    const again = await app.inject({ url: '/api/v1/diagnosis/measured', headers: operator });
    expect(again.json().footprint).toMatchObject({ membership: true, automation: false });
  });

  it('diagnoses the demo fruit chain as a shopping advisor from its own orders, and keeps it as the latest', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/diagnoses', headers: operator, payload: { answers } });
    expect(res.statusCode).toBe(201);
    const view = res.json();
    expect(view.result.inputs.averageTicketFen.source).toBe('measured');
    expect(view.result.model).toBe('shopping');
    const latest = await app.inject({ url: '/api/v1/diagnoses/latest', headers: guide });
    expect(latest.statusCode).toBe(403);
    const mine = await app.inject({ url: '/api/v1/diagnoses/latest', headers: operator });
    expect(mine.json().id).toBe(view.id);
    expect((await app.inject({ url: '/api/v1/diagnoses/latest', headers: other })).statusCode).toBe(404);
  });

  it('names every missing answer with 422 and stores nothing', async () => {
    const before = await testDb().db.selectFrom('diagnoses').select(sql<number>`count(*)::int`.as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
    const res = await app.inject({ method: 'POST', url: '/api/v1/diagnoses', headers: operator, payload: { answers: { industry: 'fresh_food' } } });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('incomplete_answers');
    expect(res.json().error.details.map((d: { path: string }) => d.path)).toEqual(['answers.expertise', 'answers.solution', 'answers.serviceStaff', 'answers.currentState']);
    const bad = await app.inject({ method: 'POST', url: '/api/v1/diagnoses', headers: operator, payload: { answers: { ...answers, expertise: 'very' } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('body.answers.expertise');
    const after = await testDb().db.selectFrom('diagnoses').select(sql<number>`count(*)::int`.as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });
});
