// Acquisition codes: create, change, list and read them, with the checks that keep a code
// usable (a rotation of active staff, known tags, store and welcome coupon, a unique state).
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { AcquisitionCodeKind, RotationMember } from '../../db/schema.ts';
import { conflict, isUniqueViolation, notFound, YuchiError, type ErrorDetail } from '../errors.ts';
import { newId, UUID_PATTERN } from '../ids.ts';
import { newCodeKey, rotationProblems, STATE_PATTERN, unknownVariables } from './acquisition.rules.ts';

export interface CodeInput {
  name: string;
  kind: AcquisitionCodeKind;
  storeId?: string | null;
  campaign?: string;
  /** WeCom's contact-way state; made from the code's key when left out. */
  state?: string;
  rotation: RotationMember[];
  worksFrom?: string | null;
  worksTo?: string | null;
  tagIds?: string[];
  welcomeText?: string;
  welcomePersona?: string;
  welcomeCouponTemplateId?: string | null;
  routingRadiusKm?: number;
  status?: 'active' | 'paused';
}

export interface CodeView {
  id: string;
  codeKey: string;
  landingPath: string;
  name: string;
  kind: AcquisitionCodeKind;
  store: { id: string; name: string } | null;
  campaign: string;
  state: string;
  rotation: (RotationMember & { staffName: string; staffStatus: string })[];
  worksFrom: string | null;
  worksTo: string | null;
  tagIds: string[];
  welcomeText: string;
  welcomePersona: string;
  welcomeCouponTemplateId: string | null;
  routingRadiusKm: number;
  status: 'active' | 'paused';
  createdAt: string;
  updatedAt: string;
}

interface CodeRow {
  id: string; code_key: string; name: string; kind: AcquisitionCodeKind; store_id: string | null; store_name: string | null;
  campaign: string; state: string; rotation: RotationMember[]; works_from: string | null; works_to: string | null; tag_ids: string[];
  welcome_text: string; welcome_persona: string; welcome_coupon_template_id: string | null; routing_radius_km: number;
  status: 'active' | 'paused'; created_at: Date; updated_at: Date; slug: string; staff_names: Record<string, { name: string; status: string }> | null;
}

const hhmm = (t: string | null): string | null => (t ? t.slice(0, 5) : null);

function toView(r: CodeRow): CodeView {
  return {
    id: r.id, codeKey: r.code_key, landingPath: `/q/${r.slug}/${r.code_key}`, name: r.name, kind: r.kind,
    store: r.store_id ? { id: r.store_id, name: r.store_name ?? '' } : null, campaign: r.campaign, state: r.state,
    rotation: r.rotation.map((m) => ({ ...m, staffName: r.staff_names?.[m.staffId]?.name ?? '', staffStatus: r.staff_names?.[m.staffId]?.status ?? 'unknown' })),
    worksFrom: hhmm(r.works_from), worksTo: hhmm(r.works_to), tagIds: r.tag_ids, welcomeText: r.welcome_text, welcomePersona: r.welcome_persona,
    welcomeCouponTemplateId: r.welcome_coupon_template_id, routingRadiusKm: r.routing_radius_km, status: r.status,
    createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
  };
}

async function codeRows(db: Db, tenantId: string, id?: string): Promise<CodeRow[]> {
  const only = id === undefined ? sql`` : sql`and a.id = ${id}`;
  const rows = await sql<CodeRow>`
    select a.*, s.name as store_name, t.slug,
           (select jsonb_object_agg(st.id, jsonb_build_object('name', st.name, 'status', st.status)) from staff st
             where st.tenant_id = a.tenant_id and st.id in (select (m->>'staffId')::uuid from jsonb_array_elements(a.rotation) m)) as staff_names
      from acquisition_codes a
      join tenants t on t.id = a.tenant_id
      left join stores s on s.tenant_id = a.tenant_id and s.id = a.store_id
     where a.tenant_id = ${tenantId} ${only}
     order by a.created_at desc`.execute(db);
  return rows.rows;
}

export async function listCodes(db: Db, tenantId: string): Promise<CodeView[]> {
  return (await codeRows(db, tenantId)).map(toView);
}

export async function getCode(db: Db, tenantId: string, id: string): Promise<CodeView> {
  const [row] = UUID_PATTERN.test(id) ? await codeRows(db, tenantId, id) : [];
  if (!row) throw notFound('acquisition code');
  return toView(row);
}

/** Every reason the input cannot make a working code, each naming its field. */
async function checkInput(db: Db, tenantId: string, input: CodeInput): Promise<void> {
  const details: ErrorDetail[] = [];
  const staffIds = input.rotation.map((m) => m.staffId);
  const active = staffIds.length === 0 ? [] : await db.selectFrom('staff').select('id')
    .where('tenant_id', '=', tenantId).where('id', 'in', staffIds).where('status', '=', 'active').execute();
  for (const p of rotationProblems(input.rotation, new Set(active.map((s) => s.id)))) details.push({ path: `body.${p.path}`, message: p.message, code: p.code });
  if (input.state !== undefined && !STATE_PATTERN.test(input.state)) {
    details.push({ path: 'body.state', message: 'WeCom takes at most 30 letters, digits, "_", "-" or "."', code: 'state_format', params: { maximum: 30 } });
  }
  if ((input.worksFrom == null) !== (input.worksTo == null)) {
    details.push({ path: input.worksFrom == null ? 'body.worksFrom' : 'body.worksTo', message: 'give both ends of the working hours, or neither', code: 'work_hours_both', params: {} });
  }
  for (const v of unknownVariables(input.welcomeText ?? '')) {
    details.push({ path: 'body.welcomeText', message: `unknown variable {${v}}: use {nickname}, {store} or {guide}`, code: 'unknown_variable', params: { variable: v } });
  }
  if (input.storeId) {
    const store = await db.selectFrom('stores').select('id').where('tenant_id', '=', tenantId).where('id', '=', input.storeId).executeTakeFirst();
    if (!store) details.push({ path: 'body.storeId', message: 'no such store', code: 'unknown_store', params: {} });
  }
  if (input.kind === 'store_counter' && !input.storeId) details.push({ path: 'body.storeId', message: 'a store counter code belongs to a store', code: 'store_needed', params: {} });
  const tagIds = input.tagIds ?? [];
  if (tagIds.length > 0) {
    const tags = await db.selectFrom('tags').select(['id', 'kind']).where('tenant_id', '=', tenantId).where('id', 'in', tagIds).execute();
    const known = new Map(tags.map((t) => [t.id, t.kind]));
    tagIds.forEach((id, i) => {
      if (!known.has(id)) details.push({ path: `body.tagIds.${i}`, message: 'no such tag', code: 'unknown_tag', params: {} });
      else if (known.get(id) === 'rule') details.push({ path: `body.tagIds.${i}`, message: 'a rule tag follows its rule and cannot be given on add', code: 'rule_tag_on_add', params: {} });
    });
  }
  if (input.welcomeCouponTemplateId) {
    const template = await db.selectFrom('coupon_templates').select('status').where('tenant_id', '=', tenantId).where('id', '=', input.welcomeCouponTemplateId).executeTakeFirst();
    if (!template) details.push({ path: 'body.welcomeCouponTemplateId', message: 'no such coupon template', code: 'unknown_coupon_template', params: {} });
    else if (template.status === 'ended') details.push({ path: 'body.welcomeCouponTemplateId', message: 'this coupon template has ended', code: 'coupon_template_ended', params: {} });
  }
  const first = details[0];
  if (first) throw new YuchiError('invalid', `${first.path}: ${first.message}`, details);
}

function columns(input: CodeInput) {
  return {
    name: input.name, kind: input.kind, store_id: input.storeId ?? null, campaign: input.campaign ?? '',
    rotation: JSON.stringify(input.rotation.map((m) => ({ staffId: m.staffId, dailyCap: m.dailyCap, qrUrl: m.qrUrl, backup: m.backup }))),
    works_from: input.worksFrom ?? null, works_to: input.worksTo ?? null, tag_ids: input.tagIds ?? [],
    welcome_text: input.welcomeText ?? '', welcome_persona: input.welcomePersona ?? '',
    welcome_coupon_template_id: input.welcomeCouponTemplateId ?? null, routing_radius_km: input.routingRadiusKm ?? 10, status: input.status ?? 'active',
  };
}

export async function createCode(db: Db, tenantId: string, input: CodeInput): Promise<CodeView> {
  await checkInput(db, tenantId, input);
  const id = newId();
  const codeKey = newCodeKey();
  try {
    await db.insertInto('acquisition_codes')
      .values({ tenant_id: tenantId, id, code_key: codeKey, state: input.state ?? `yc-${codeKey}`, ...columns(input) })
      .execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('body.state', `another code already uses the state ${input.state ?? ''}`, { code: 'state_taken', params: { state: input.state ?? '' } });
    throw err;
  }
  return getCode(db, tenantId, id);
}

/** Replaces a code's settings; its key (the printed QR) never changes, and its state only when given. */
export async function updateCode(db: Db, tenantId: string, id: string, input: CodeInput): Promise<CodeView> {
  await getCode(db, tenantId, id);
  await checkInput(db, tenantId, input);
  try {
    await db.updateTable('acquisition_codes')
      .set({ ...columns(input), ...(input.state !== undefined ? { state: input.state } : {}), updated_at: new Date() })
      .where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('body.state', `another code already uses the state ${input.state ?? ''}`, { code: 'state_taken', params: { state: input.state ?? '' } });
    throw err;
  }
  return getCode(db, tenantId, id);
}

export interface CodeStats {
  codeId: string;
  scans: number;
  adds: number;
  /** Friends whose contact was not deleted within 7 days of the add (adds younger than 7 days are not counted yet). */
  kept: number;
  /** Friends who ordered after the add. */
  ordered: number;
}

/** The funnel of every code (or one) over [from, to): scans → adds → kept after 7 days → ordered. */
export async function codeStats(db: Db, tenantId: string, range: { from: Date; to: Date }, codeId?: string): Promise<CodeStats[]> {
  const only = codeId === undefined ? sql`` : sql`and a.id = ${codeId}`;
  const rows = await sql<{ id: string; scans: number; adds: number; kept: number; ordered: number }>`
    select a.id,
           (select count(*)::int from code_scans s where s.tenant_id = a.tenant_id and s.code_id = a.id
               and s.scanned_at >= ${range.from} and s.scanned_at < ${range.to}) as scans,
           coalesce(f.adds, 0) as adds, coalesce(f.kept, 0) as kept, coalesce(f.ordered, 0) as ordered
      from acquisition_codes a
      left join lateral (
        select count(distinct k.customer_id)::int as adds,
               count(distinct k.customer_id) filter (where k.added_at <= now() - interval '7 days'
                   and (k.deleted_at is null or k.deleted_at >= k.added_at + interval '7 days'))::int as kept,
               count(distinct k.customer_id) filter (where exists (
                   select 1 from orders o where o.tenant_id = k.tenant_id and o.customer_id = k.customer_id and o.ordered_at >= k.added_at))::int as ordered
          from customer_contacts k
         where k.tenant_id = a.tenant_id and k.state = a.state and k.added_at >= ${range.from} and k.added_at < ${range.to}
      ) f on true
     where a.tenant_id = ${tenantId} ${only}`.execute(db);
  return rows.rows.map((r) => ({ codeId: r.id, scans: r.scans, adds: r.adds, kept: r.kept, ordered: r.ordered }));
}
