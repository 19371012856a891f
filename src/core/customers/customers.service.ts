// Reading customers: the filtered, paged list and one customer's profile.
import { sql, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { Database, Gender, IdentityKind } from '../../db/schema.ts';
import { ownCustomersOnly, type Actor } from '../access/access.rules.ts';
import { notFound } from '../errors.ts';
import { UUID_PATTERN } from '../ids.ts';
import { orderWindowStart } from '../tags/rules.service.ts';
import { offsetOf, type Page, type PageRequest } from '../paging.ts';

export interface CustomerSummary {
  id: string;
  name: string;
  gender: Gender;
  phone: string | null;
  memberNo: string | null;
  city: string;
  sourceChannel: string;
  store: { id: string; name: string } | null;
  guide: { id: string; name: string } | null;
  orderCount: number;
  orderDays: number;
  totalSpentFen: number;
  firstOrderAt: string | null;
  lastOrderAt: string | null;
  createdAt: string;
}

export interface CustomerDetail extends CustomerSummary {
  birthday: string | null;
  averageTicketFen: number;
  identities: { kind: IdentityKind; value: string; createdAt: string }[];
}

/** The customer list's filter, shared by the list, bulk tagging and export so they match the same people. */
export interface CustomerFilter {
  q?: string | undefined;
  storeId?: string | undefined;
  guideId?: string | undefined;
  /** Holds every one of these tags. */
  tagIds?: string[] | undefined;
  /** Holds at least one of these tags. */
  anyTagIds?: string[] | undefined;
  minSpentFen?: number | undefined;
  maxSpentFen?: number | undefined;
  /** Ordered within the last n days (the same window as rule tags use). */
  lastOrderWithinDays?: number | undefined;
  /** No order within the last n days, including customers who never ordered. */
  noOrderWithinDays?: number | undefined;
  /** A member of this segment now. */
  segmentId?: string | undefined;
  /** Matches a segment definition not saved yet (its compiled condition over `c`), for a preview. */
  matches?: RawBuilder<boolean> | undefined;
}

/** Identity kinds a search box value is matched against exactly. */
const SEARCHABLE_KINDS: IdentityKind[] = ['phone', 'member_no', 'external_userid', 'unionid', 'openid'];

type CustomerScope = SelectQueryBuilder<Database & { c: Database['customers'] }, 'c', object>;

function scoped(db: Db, actor: Actor, filter: CustomerFilter): CustomerScope {
  // An erased customer (PIPL) keeps its row only so that its orders still count; nobody sees it.
  let q = db.selectFrom('customers as c').where('c.tenant_id', '=', actor.tenantId).where('c.erased_at', 'is', null);
  const guide = ownCustomersOnly(actor);
  if (guide) q = q.where('c.guide_id', '=', guide);
  if (filter.storeId) q = q.where('c.store_id', '=', filter.storeId);
  if (filter.guideId) q = q.where('c.guide_id', '=', filter.guideId);
  const text = filter.q?.trim();
  if (text) {
    const byIdentity = db
      .selectFrom('customer_identities')
      .select('customer_id')
      .where('tenant_id', '=', actor.tenantId)
      .where('kind', 'in', SEARCHABLE_KINDS)
      .where('value', '=', text);
    const escaped = text.replace(/[\\%_]/g, (ch) => '\\' + ch);
    q = q.where((eb) => eb.or([eb('c.name', 'like', `${escaped}%`), eb('c.id', 'in', byIdentity)]));
  }
  // One grouped subquery per filter rather than one EXISTS per tag: with several EXISTS the planner
  // may join customer_tags to itself, which is quadratic when its statistics lag behind a bulk change.
  const holders = (tagIds: string[]) => db
    .selectFrom('customer_tags')
    .select('customer_id')
    .where('tenant_id', '=', actor.tenantId)
    .where('tag_id', 'in', tagIds)
    .groupBy('customer_id');
  const allOf = [...new Set(filter.tagIds ?? [])];
  if (allOf.length > 0) q = q.where('c.id', 'in', holders(allOf).having((eb) => eb.fn.countAll(), '=', allOf.length));
  if (filter.anyTagIds?.length) q = q.where('c.id', 'in', holders(filter.anyTagIds));
  if (filter.minSpentFen !== undefined) q = q.where('c.total_spent_fen', '>=', filter.minSpentFen);
  if (filter.maxSpentFen !== undefined) q = q.where('c.total_spent_fen', '<=', filter.maxSpentFen);
  if (filter.lastOrderWithinDays !== undefined) {
    q = q.where('c.last_order_at', '>=', orderWindowStart(filter.lastOrderWithinDays, actor.timezone, undefined));
  }
  if (filter.noOrderWithinDays !== undefined) {
    const start = orderWindowStart(filter.noOrderWithinDays, actor.timezone, undefined);
    q = q.where((eb) => eb.or([eb('c.last_order_at', 'is', null), eb('c.last_order_at', '<', start)]));
  }
  if (filter.segmentId) {
    const members = db.selectFrom('segment_members').select('customer_id')
      .where('tenant_id', '=', actor.tenantId).where('segment_id', '=', filter.segmentId);
    q = q.where('c.id', 'in', members);
  }
  if (filter.matches) q = q.where(filter.matches);
  return q;
}

function withColumns(q: CustomerScope) {
  return q
    .leftJoin('stores as s', (j) => j.onRef('s.tenant_id', '=', 'c.tenant_id').onRef('s.id', '=', 'c.store_id'))
    .leftJoin('staff as g', (j) => j.onRef('g.tenant_id', '=', 'c.tenant_id').onRef('g.id', '=', 'c.guide_id'))
    .select([
      'c.id', 'c.name', 'c.gender', 'c.city', 'c.source_channel', 'c.store_id', 's.name as store_name', 'c.guide_id', 'g.name as guide_name',
      'c.order_count', 'c.order_days', 'c.total_spent_fen', 'c.first_order_at', 'c.last_order_at', 'c.created_at', 'c.birthday',
      sql<string | null>`(select value from customer_identities i where i.tenant_id = c.tenant_id and i.customer_id = c.id and i.kind = 'phone' order by created_at limit 1)`.as('phone'),
      sql<string | null>`(select value from customer_identities i where i.tenant_id = c.tenant_id and i.customer_id = c.id and i.kind = 'member_no' order by created_at limit 1)`.as('member_no'),
    ]);
}

type CustomerRow = Awaited<ReturnType<ReturnType<typeof withColumns>['executeTakeFirstOrThrow']>>;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function toSummary(r: CustomerRow): CustomerSummary {
  return {
    id: r.id,
    name: r.name,
    gender: r.gender,
    phone: r.phone,
    memberNo: r.member_no,
    city: r.city,
    sourceChannel: r.source_channel,
    store: r.store_id && r.store_name !== null ? { id: r.store_id, name: r.store_name } : null,
    guide: r.guide_id && r.guide_name !== null ? { id: r.guide_id, name: r.guide_name } : null,
    orderCount: r.order_count,
    orderDays: r.order_days,
    totalSpentFen: r.total_spent_fen,
    firstOrderAt: iso(r.first_order_at),
    lastOrderAt: iso(r.last_order_at),
    createdAt: r.created_at.toISOString(),
  };
}

export async function listCustomers(db: Db, actor: Actor, filter: CustomerFilter, paging: PageRequest): Promise<Page<CustomerSummary>> {
  const [rows, count] = await Promise.all([
    withColumns(scoped(db, actor, filter))
      .orderBy('c.created_at', 'desc')
      .orderBy('c.id', 'desc')
      .limit(paging.pageSize)
      .offset(offsetOf(paging))
      .execute(),
    scoped(db, actor, filter).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toSummary), page: paging.page, pageSize: paging.pageSize, total: Number(count.n) };
}

/** Throws not_found for an unknown id, another tenant's customer, or one a guide does not own. */
export async function getCustomer(db: Db, actor: Actor, id: string): Promise<CustomerDetail> {
  if (!UUID_PATTERN.test(id)) throw notFound('customer');
  const row = await withColumns(scoped(db, actor, {})).where('c.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('customer');
  const identities = await db
    .selectFrom('customer_identities')
    .select(['kind', 'value', 'created_at'])
    .where('tenant_id', '=', actor.tenantId)
    .where('customer_id', '=', id)
    .orderBy('kind')
    .orderBy('created_at')
    .execute();
  return {
    ...toSummary(row),
    birthday: row.birthday,
    averageTicketFen: row.order_count > 0 ? Math.round(row.total_spent_fen / row.order_count) : 0,
    identities: identities.map((i) => ({ kind: i.kind, value: i.value, createdAt: i.created_at.toISOString() })),
  };
}

/** The customer ids an actor may see, as a subquery, for other areas' guide scoping. */
export function visibleCustomerIds(db: Db, actor: Actor) {
  return scoped(db, actor, {}).select('c.id');
}

/** The ids of the customers the list would show for this filter, as a subquery (bulk tagging, export). */
export function matchingCustomerIds(db: Db, actor: Actor, filter: CustomerFilter) {
  return scoped(db, actor, filter).select('c.id');
}
