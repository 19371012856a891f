// The diagnosis against the tenant's own data: frequency, ticket and repurchase measured from its
// orders where there are enough, what Yuchi already runs for it (the maturity footprint), and the
// history of diagnoses.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { notFound, YuchiError } from '../errors.ts';
import { newId } from '../ids.ts';
import { diagnose, IncompleteAnswers, type Diagnosis, type DiagnosisAnswers, type Footprint, type Measured } from './diagnosis.rules.ts';

/** Enough to measure: buyers, and days of history (repurchase needs half a year to mean anything). */
const MIN_BUYERS = 30;
const MIN_DAYS = 60;
const MIN_DAYS_FOR_REPURCHASE = 180;
const WINDOW_DAYS = 365;

/** The last year of orders (not refunded, net of refunds), per purchase day in the tenant's zone. */
export async function measureOrders(db: Db, tenantId: string, now = new Date()): Promise<Measured> {
  const row = await sql<{ buyers: number; purchase_days: number; orders: number; amount: number | null; repeaters: number; span: number | null }>`
    with zone as (select timezone from tenants where id = ${tenantId}),
    days as (
      select o.customer_id, (o.ordered_at at time zone z.timezone)::date as d, count(*) as orders, sum(o.paid_fen - o.refunded_fen) as amount
        from orders o cross join zone z
       where o.tenant_id = ${tenantId} and o.customer_id is not null and o.status <> 'refunded'
         and o.ordered_at > ${now}::timestamptz - make_interval(days => ${WINDOW_DAYS}) and o.ordered_at <= ${now}::timestamptz
       group by 1, 2
    ),
    buyers as (select customer_id, count(*) as n from days group by 1)
    select (select count(*) from buyers)::int as buyers,
           (select count(*) from days)::int as purchase_days,
           (select coalesce(sum(orders), 0) from days)::int8 as orders,
           (select sum(amount) from days)::int8 as amount,
           (select count(*) from buyers where n >= 2)::int as repeaters,
           (select max(d) - min(d) + 1 from days)::int as span`.execute(db);
  const m = row.rows[0];
  const buyers = m?.buyers ?? 0;
  const days = m?.span ?? 0;
  if (!m || buyers < MIN_BUYERS || days < MIN_DAYS) {
    return { purchasesPerYear: null, averageTicketFen: null, repurchaseRate: null, buyers, days };
  }
  return {
    // a shorter history is scaled up to a year
    purchasesPerYear: (m.purchase_days / buyers) * (WINDOW_DAYS / Math.min(days, WINDOW_DAYS)),
    averageTicketFen: m.orders > 0 ? Math.round((m.amount ?? 0) / m.orders) : null,
    repurchaseRate: days >= MIN_DAYS_FOR_REPURCHASE ? m.repeaters / buyers : null,
    buyers,
    days,
  };
}

/** What Yuchi already runs for the tenant: each a cheap existence check. */
export async function footprintOf(db: Db, tenantId: string): Promise<Footprint> {
  const r = await sql<{ friends: boolean; groups: boolean; rule_tags: boolean; promotions: boolean; segments: boolean; scored: boolean; membership: boolean; automation: boolean }>`
    select exists (select 1 from customer_contacts where tenant_id = ${tenantId} and deleted_at is null) as friends,
           exists (select 1 from customer_groups where tenant_id = ${tenantId} and status = 'active') as groups,
           exists (select 1 from tags where tenant_id = ${tenantId} and kind = 'rule') as rule_tags,
           exists (select 1 from coupon_templates where tenant_id = ${tenantId})
             or exists (select 1 from price_rules where tenant_id = ${tenantId})
             or exists (select 1 from flash_sales where tenant_id = ${tenantId}) as promotions,
           exists (select 1 from segments where tenant_id = ${tenantId} and status = 'active') as segments,
           exists (select 1 from scoring_runs where tenant_id = ${tenantId} and status = 'done') as scored,
           exists (select 1 from membership_tiers where tenant_id = ${tenantId})
             or exists (select 1 from membership_settings where tenant_id = ${tenantId} and points_enabled) as membership,
           exists (select 1 from journeys where tenant_id = ${tenantId} and status = 'live') as automation`.execute(db);
  const f = r.rows[0];
  return {
    friends: f?.friends ? 1 : 0, groups: f?.groups ? 1 : 0, ruleTags: f?.rule_tags ? 1 : 0, promotions: f?.promotions ? 1 : 0,
    segments: f?.segments ? 1 : 0, scored: f?.scored ?? false, membership: f?.membership ?? false, automation: f?.automation ?? false,
  };
}

export interface DiagnosisView {
  id: string;
  createdAt: string;
  createdBy: string;
  answers: DiagnosisAnswers;
  measured: Measured | null;
  result: Diagnosis;
}

/** Measures, diagnoses and records; incomplete answers are refused naming every missing one. */
export async function runDiagnosis(db: Db, tenantId: string, answers: DiagnosisAnswers, by: string, now = new Date()): Promise<DiagnosisView> {
  const measured = await measureOrders(db, tenantId, now);
  const footprint = await footprintOf(db, tenantId);
  let result: Diagnosis;
  try {
    result = diagnose(answers, measured, footprint);
  } catch (err) {
    if (err instanceof IncompleteAnswers) {
      throw new YuchiError('unprocessable', err.message, err.missing.map((m) => ({ path: `answers.${m.path}`, message: m.message, code: m.code, params: {} })), 'incomplete_answers');
    }
    throw err;
  }
  const id = newId();
  await db.insertInto('diagnoses').values({
    tenant_id: tenantId, id, answers: JSON.stringify(answers), measured: JSON.stringify(measured), result: JSON.stringify(result),
    created_by: by, created_at: now,
  }).execute();
  return { id, createdAt: now.toISOString(), createdBy: by, answers, measured, result };
}

export async function latestDiagnosis(db: Db, tenantId: string): Promise<DiagnosisView> {
  const row = await db.selectFrom('diagnoses').selectAll().where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  if (!row) throw notFound('diagnosis');
  return {
    id: row.id, createdAt: row.created_at.toISOString(), createdBy: row.created_by,
    answers: row.answers as DiagnosisAnswers, measured: row.measured as Measured | null, result: row.result as Diagnosis,
  };
}
