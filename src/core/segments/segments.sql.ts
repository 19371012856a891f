// A checked segment definition as ONE boolean SQL expression over a customer row `c`, every value
// a bound parameter. Full evaluation, preview and the incremental path all use this expression
// (the incremental path adds `c.id = any(ids)`), so they agree by construction.
//
// Every condition is made two-valued (coalesce(..., false)): a customer with no birthday is "not
// within 7 days of a birthday", so `not` is the exact complement of what it wraps.
import { sql, type RawBuilder } from 'kysely';
import { orderWindowStart } from '../tags/rules.service.ts';
import { FIELDS, MAX_DEPTH, type SegmentCondition, type SegmentNode } from './segments.rules.ts';

export interface CompileContext {
  timeZone: string;
  /** The evaluation instant that relative windows end at. */
  now: Date;
  /** Definitions of the segments this one may refer to (inlined: membership of another segment is its condition). */
  segments: ReadonlyMap<string, SegmentNode>;
}

type Sql = RawBuilder<unknown>;

const COMPARE: Record<string, Sql> = { eq: sql.raw('='), neq: sql.raw('<>'), gt: sql.raw('>'), gte: sql.raw('>='), lt: sql.raw('<'), lte: sql.raw('<=') };

const CUSTOMER_COLUMNS: Record<string, string> = {
  gender: 'c.gender', city: 'c.city', source_channel: 'c.source_channel', created_at: 'c.created_at',
  order_count: 'c.order_count', order_days: 'c.order_days', total_spent_fen: 'c.total_spent_fen',
  first_order_at: 'c.first_order_at', last_order_at: 'c.last_order_at', store_id: 'c.store_id', guide_id: 'c.guide_id',
};

const SCORE_COLUMNS: Record<string, string> = {
  rfm_cell: 's.rfm_cell', r_score: 's.r_score', f_score: 's.f_score', m_score: 's.m_score', lifecycle_stage: 's.lifecycle_stage',
  value_tier: 's.value_tier', p_alive: 's.p_alive', churn_probability: '(1 - s.p_alive)', clv_fen: 's.clv_fen',
};

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

/** Comparison of an expression by a value operator (eq … between, in / not_in). */
function compare(expr: Sql, op: string, value: unknown, cast: string): Sql {
  const t = sql.raw(cast);
  if (op === 'between') {
    const [lo, hi] = list(value);
    return sql`${expr} between ${lo}::${t} and ${hi}::${t}`;
  }
  if (op === 'in') return sql`${expr} = any(${list(value)}::${t}[])`;
  if (op === 'not_in') return sql`not (${expr} = any(${list(value)}::${t}[]))`;
  const cmp = COMPARE[op];
  if (!cmp) throw new Error(`no SQL for operator ${op}`);
  return sql`${expr} ${cmp} ${value}::${t}`;
}

/**
 * A value that does not depend on the customer, as a scalar subquery: PostgreSQL computes it once
 * per statement (an InitPlan) instead of once per customer row — zone conversions are not free.
 */
const once = (value: Sql): Sql => sql`(select ${value})`;

/** The first instant of a calendar day in the tenant's zone (`plusDays` later). */
function dayStart(day: unknown, timeZone: string, plusDays = 0): Sql {
  return once(sql`(${day}::date + ${plusDays}::int)::timestamp at time zone ${timeZone}::text`);
}

function windowStart(days: number, ctx: CompileContext): Sql {
  return once(orderWindowStart(days, ctx.timeZone, ctx.now));
}

function timeCondition(expr: Sql, c: SegmentCondition, ctx: CompileContext): Sql {
  switch (c.op) {
    case 'exists': return sql`${expr} is not null`;
    case 'not_exists': return sql`${expr} is null`;
    case 'within_days': return sql`${expr} >= ${windowStart(Number(c.value), ctx)}`;
    // "no order in 30 days" includes customers who never ordered
    case 'not_within_days': return sql`(${expr} is null or ${expr} < ${windowStart(Number(c.value), ctx)})`;
    case 'before': return sql`${expr} < ${dayStart(c.value, ctx.timeZone)}`;
    case 'after': return sql`${expr} >= ${dayStart(c.value, ctx.timeZone, 1)}`;
    case 'between': {
      const [from, to] = list(c.value);
      return sql`(${expr} >= ${dayStart(from, ctx.timeZone)} and ${expr} < ${dayStart(to, ctx.timeZone, 1)})`;
    }
    default: throw new Error(`no SQL for time operator ${c.op}`);
  }
}

/** Days from today (tenant zone) to the next birthday, 0 on the day; Feb 29 falls on Feb 28 in other years. */
function daysUntilBirthday(ctx: CompileContext): Sql {
  const today = once(sql`(${ctx.now}::timestamptz at time zone ${ctx.timeZone}::text)::date`);
  const inYears = (extra: number) =>
    sql`(c.birthday + make_interval(years => (extract(year from ${today}) - extract(year from c.birthday))::int + ${extra}::int))::date`;
  return sql`(case when ${inYears(0)} >= ${today} then ${inYears(0)} - ${today} else ${inYears(1)} - ${today} end)`;
}

function eventCondition(c: SegmentCondition, ctx: CompileContext): Sql {
  // The type is compared as an expression (`|| ''`) so that no index on type can serve it: each
  // customer's events are then always reached through events_customer_time. On a young or fast-
  // growing tenant, before ANALYZE has caught up, the planner otherwise picked events_type_time and
  // read every event of the type for each customer (1,000 customers: 4.6 s instead of 3 ms).
  const filters: Sql[] = [sql`e.tenant_id = c.tenant_id`, sql`e.customer_id = c.id`, sql`(e.type || '') = ${c.type}::text`];
  if (c.withinDays !== undefined) filters.push(sql`e.occurred_at >= ${windowStart(c.withinDays, ctx)}`);
  if (c.properties && Object.keys(c.properties).length > 0) filters.push(sql`e.properties @> ${JSON.stringify(c.properties)}::jsonb`);
  const where = sql.join(filters, sql` and `);
  const n = Number(c.value);
  // "at least n": stop counting at n, so a customer with thousands of such events costs no more
  if (c.op === 'gte' || c.op === 'gt') {
    const need = c.op === 'gte' ? n : n + 1;
    return sql`(select count(*) from (select 1 from events e where ${where} limit ${need}::int) x) >= ${need}::int`;
  }
  const cmp = COMPARE[c.op] ?? sql.raw('=');
  return sql`(select count(*) from events e where ${where}) ${cmp} ${n}::int`;
}

function conditionSql(c: SegmentCondition, ctx: CompileContext, depth: number): Sql {
  const spec = FIELDS[c.field];
  if (!spec) throw new Error(`unknown field ${c.field}`);
  if (spec.source === 'scores') {
    const column = sql.raw(SCORE_COLUMNS[c.field] ?? 's.rfm_cell');
    const cast = spec.kind === 'number' ? (spec.integer ? 'bigint' : 'float8') : 'text';
    return sql`exists (select 1 from customer_scores s where s.tenant_id = c.tenant_id and s.customer_id = c.id and ${compare(column, c.op, c.value, cast)})`;
  }
  switch (c.field) {
    case 'gender': case 'city': case 'source_channel':
      return compare(sql.raw(CUSTOMER_COLUMNS[c.field] ?? 'c.city'), c.op, c.value, 'text');
    case 'order_count': case 'order_days': case 'total_spent_fen':
      return compare(sql.raw(CUSTOMER_COLUMNS[c.field] ?? 'c.order_count'), c.op, c.value, 'bigint');
    case 'average_ticket_fen':
      return compare(sql`(case when c.order_count > 0 then round(c.total_spent_fen::numeric / c.order_count) end)`, c.op, c.value, 'numeric');
    case 'birthday_month':
      return compare(sql`extract(month from c.birthday)::int`, c.op, c.value, 'int');
    case 'days_until_birthday':
      return compare(daysUntilBirthday(ctx), c.op, c.value, 'int');
    case 'created_at': case 'first_order_at': case 'last_order_at':
      return timeCondition(sql.raw(CUSTOMER_COLUMNS[c.field] ?? 'c.created_at'), c, ctx);
    case 'store_id': case 'guide_id': {
      const column = sql.raw(CUSTOMER_COLUMNS[c.field] ?? 'c.store_id');
      if (c.op === 'exists') return sql`${column} is not null`;
      if (c.op === 'not_exists') return sql`${column} is null`;
      if (c.op === 'neq') return sql`${column} is distinct from ${c.value}::uuid`;
      if (c.op === 'not_in') return sql`(${column} is null or not (${column} = any(${list(c.value)}::uuid[])))`;
      return compare(column, c.op, c.value, 'uuid');
    }
    case 'tags': {
      const ids = [...new Set(list(c.value).map((v) => String(v).toLowerCase()))];
      const held = sql`from customer_tags ct where ct.tenant_id = c.tenant_id and ct.customer_id = c.id and ct.tag_id = any(${ids}::uuid[])`;
      if (c.op === 'has_all') return sql`(select count(*) ${held}) = ${ids.length}::int`;
      if (c.op === 'has_none') return sql`not exists (select 1 ${held})`;
      return sql`exists (select 1 ${held})`;
    }
    case 'identity': {
      const has = sql`exists (select 1 from customer_identities ci where ci.tenant_id = c.tenant_id and ci.customer_id = c.id and ci.kind = ${c.value}::text)`;
      return c.op === 'has_not' ? sql`not ${has}` : has;
    }
    case 'event':
      return eventCondition(c, ctx);
    case 'group': {
      const inGroup = c.op === 'in' || c.op === 'not_in' ? sql` and gm.group_id = ${c.value}::uuid` : sql``;
      const member = sql`exists (select 1 from group_members gm where gm.tenant_id = c.tenant_id and gm.customer_id = c.id and gm.left_at is null${inGroup})`;
      return c.op === 'in' || c.op === 'in_any' ? member : sql`not ${member}`;
    }
    case 'segment': {
      const other = ctx.segments.get(String(c.value).toLowerCase());
      if (!other || depth >= MAX_DEPTH) return sql`false`;
      const inner = nodeSql(other, ctx, depth + 1);
      return c.op === 'in' ? inner : sql`not ${inner}`;
    }
    case 'random_bucket': {
      const [lo, hi] = list(c.value);
      return sql`(('x' || substr(md5(c.id::text || ':' || ${c.salt ?? ''}::text), 1, 8))::bit(32)::bigint % 100) between ${lo}::int and ${hi}::int`;
    }
    default:
      throw new Error(`no SQL for field ${c.field}`);
  }
}

function nodeSql(node: SegmentNode, ctx: CompileContext, depth: number): Sql {
  if ('all' in node) return sql`(${sql.join(node.all.map((n) => nodeSql(n, ctx, depth)), sql` and `)})`;
  if ('any' in node) return sql`(${sql.join(node.any.map((n) => nodeSql(n, ctx, depth)), sql` or `)})`;
  if ('not' in node) return sql`(not ${nodeSql(node.not, ctx, depth)})`;
  return sql`coalesce(${conditionSql(node, ctx, depth)}, false)`;
}

/** The definition as a boolean expression over `customers c` (the caller scopes c by tenant). */
export function segmentPredicate(node: SegmentNode, ctx: CompileContext): RawBuilder<boolean> {
  return sql<boolean>`${nodeSql(node, ctx, 0)}`;
}
