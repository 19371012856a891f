// Planning a mass send: the audience is read in id order in chunks, each with what the engine needs
// of every recipient in the same statement (guide, time zone, consent on the channel); the
// messages that already hold a slot come from one key-range read per chunk. Each recipient goes
// through the restraint engine's decide() (consent, global control group, platform quota, caps,
// quiet hours, priority), the campaign holdout is drawn among the eligible, and the chunk's
// decisions are written with COPY in one transaction into mass_send_recipients — one narrow row
// per recipient (planned with its time, held out, or excluded with the reason) under a single key
// index. The planned ones become messages rows, content rendered, when the send's time comes
// (mass-release.service.ts). Rows are keyed by (mass send, customer): a plan interrupted half-way
// resumes past the recipients already written, and a second writer of the same send is refused.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { tenantZone, slotHolders } from './facts.service.ts';
import { copyPlannedChunk, dbOnClient, PlannedLines, type PlannedRow, type WithClient } from './mass-plan-copy.ts';
import type { Audience, Schedule } from './mass-sends.rules.ts';
import { sendTimeFor } from './mass-sends.rules.ts';
import { consentChannelOf, decide, holdoutDraw, type Candidate, type CustomerFacts, type Decision, type SlotHolder } from './restraint.rules.ts';
import type { MessagingSettings } from './settings.rules.ts';
import { getMessagingSettings } from './settings.service.ts';
import type { TemplateContent } from './templates.rules.ts';

export interface PlanCounts {
  audience: number;
  planned: number;
  heldOut: number;
  /** Recipients left out, by reason (consent, quota or cap with drop policy, global holdout, no guide …). */
  excluded: Record<string, number>;
  /** Planned recipients whose time was moved, by what moved it. */
  moved: Record<string, number>;
}

export interface PlanSpec {
  massSendId: string;
  channel: 'wecom' | 'email' | 'sms' | 'sandbox';
  content: TemplateContent;
  audience: Audience;
  schedule: Schedule;
  priority: number;
  holdoutPercent: number;
  couponTemplateId?: string | null;
}

export interface PlanOptions {
  /** Count only: decide every recipient, write nothing. */
  dryRun?: boolean;
  now?: number;
  /** Lends the connection the plan's COPY runs on; required unless dryRun. */
  withClient?: WithClient;
  /** Counts already written by an interrupted run of this plan (a resumed plan adds to them). */
  resumedFrom?: PlanCounts;
  /** Recipients read, decided and written per transaction. */
  chunkSize?: number;
}

const CHUNK = 20_000;

function setCondition(tenantId: string, set: Audience['include']) {
  if (set.kind === 'all') return sql`true`;
  if (set.kind === 'segment') return sql`exists (select 1 from segment_members x where x.tenant_id = ${tenantId} and x.customer_id = c.id and x.segment_id = any(${set.ids}::uuid[]))`;
  if (set.kind === 'tag') return sql`exists (select 1 from customer_tags x where x.tenant_id = ${tenantId} and x.customer_id = c.id and x.tag_id = any(${set.ids}::uuid[]))`;
  return sql`exists (select 1 from group_members x where x.tenant_id = ${tenantId} and x.customer_id = c.id and x.group_id = any(${set.ids}::uuid[]) and x.left_at is null)`;
}

/** A chunk of the audience as columns, in customer id order. */
interface Chunk { ids: string[]; guides: (string | null)[]; zones: (string | null)[]; consents: (boolean | null)[] }

/**
 * The next chunk of the audience after `after`, with guide, time zone and consent on the send's
 * channel (content is rendered at release). The chunk comes back as ONE text value (a line per
 * recipient, tab-separated), split here: parsing 20,000 protocol rows into objects cost the
 * planner more than deciding them. Ids, zone names and booleans hold no tab or newline.
 */
async function audienceChunk(db: Db, tenantId: string, spec: PlanSpec, after: string, resume: boolean, size: number): Promise<Chunk> {
  const consentChannel = consentChannelOf(spec.channel);
  const rows = await sql<{ lines: string | null }>`
    select string_agg(x.id::text || E'\t' || coalesce(x.guide_id::text, '') || E'\t' || coalesce(x.timezone, '') || E'\t' || coalesce(x.consent::text, ''), E'\n' order by x.id) as lines
      from (
    select c.id, c.guide_id, tz.timezone, k.granted as consent
      from customers c
      left join customer_time_zones tz on tz.tenant_id = c.tenant_id and tz.customer_id = c.id
      -- one row at most: (tenant_id, customer_id, channel) is the key; read as a merge over the chunk's id range
      left join customer_consents k on k.tenant_id = c.tenant_id and k.customer_id = c.id and k.channel = ${consentChannel ?? ''}
     where c.tenant_id = ${tenantId} and c.id > ${after}::uuid and c.erased_at is null
       and ${setCondition(tenantId, spec.audience.include)}
       and ${spec.audience.exclude ? sql`not ${setCondition(tenantId, spec.audience.exclude)}` : sql`true`}
       and ${resume ? sql`not exists (select 1 from mass_send_recipients r where r.tenant_id = ${tenantId} and r.mass_send_id = ${spec.massSendId} and r.customer_id = c.id)` : sql`true`}
     order by c.id limit ${size}) x`.execute(db);
  const lines = rows.rows[0]?.lines;
  const chunk: Chunk = { ids: [], guides: [], zones: [], consents: [] };
  if (!lines) return chunk;
  // each line: id \t guide \t zone \t consent, read by position without splitting into arrays
  for (let start = 0; start < lines.length;) {
    const t1 = lines.indexOf('\t', start);
    const t2 = lines.indexOf('\t', t1 + 1);
    const t3 = lines.indexOf('\t', t2 + 1);
    let end = lines.indexOf('\n', t3 + 1);
    if (end < 0) end = lines.length;
    chunk.ids.push(lines.slice(start, t1));
    chunk.guides.push(t2 > t1 + 1 ? lines.slice(t1 + 1, t2) : null);
    chunk.zones.push(t3 > t2 + 1 ? lines.slice(t2 + 1, t3) : null);
    chunk.consents.push(end > t3 + 1 ? lines.charCodeAt(t3 + 1) === 116 /* t */ : null);
    start = end + 1;
  }
  return chunk;
}

/**
 * Time-ordered ids (UUIDv7 layout) for a chunk at once: one clock reading and one random draw
 * instead of a call per recipient. Unique by 74 random bits; later than every id made before.
 */
function chunkIds(n: number): string[] {
  const ts = Date.now().toString(16).padStart(12, '0');
  const head = `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7`;
  const hex = randomBytes(n * 9).toString('hex');
  const variant = '89ab';
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const r = hex.slice(i * 18, i * 18 + 18);
    out[i] = `${head}${r.slice(0, 3)}-${variant[parseInt(r.charAt(3), 16) & 3] ?? '8'}${r.slice(4, 7)}-${r.slice(7, 18)}0`;
  }
  return out;
}

const bump = (counts: Record<string, number>, key: string) => { counts[key] = (counts[key] ?? 0) + 1; };

/**
 * decide() for every recipient of a plan. A recipient with no message holding a slot gets the
 * same decision as every other with the same zone, consent and control-group draw (the candidate's
 * id only ranks it against holders), so that decision is made once and reused: decide() stays the
 * one place the rules live, and most of a million recipients cost a map lookup. Recipients with
 * holders share a decision too when everything decide() reads of them is the same: zone, consent,
 * draw, and each holder's state, time, channel, purpose, priority and rank against the candidate
 * (same id, earlier or later id) — after an earlier send to everyone, most of them are alike.
 */
function decider(tenantId: string, spec: PlanSpec, settings: MessagingSettings, now: number) {
  const sendTimes = new Map<string, number>();
  // per zone, six shared decisions: consent (null, true, false) × control group (no, yes)
  const shared = new Map<string, (Decision | undefined)[]>();
  const alike = new Map<string, Decision>();
  const inGlobalHoldout = holdoutDraw(`global:${tenantId}`, settings.globalHoldoutPercent);
  return (id: string, customerId: string, zone: string, consent: boolean | null, holders: readonly SlotHolder[]): Decision => {
    const controlGroup = inGlobalHoldout(customerId);
    const slot = holders.length === 0 ? (consent === null ? 0 : consent ? 2 : 4) + (controlGroup ? 1 : 0) : -1;
    let ofZone = shared.get(zone);
    if (!ofZone) { ofZone = []; shared.set(zone, ofZone); }
    let pattern: string | null = null;
    if (slot < 0) {
      pattern = `${zone}|${String(consent)}|${String(controlGroup)}`;
      for (const h of holders) pattern += `|${h.state}${h.id === id ? '=' : h.id < id ? '<' : '>'}${h.at},${h.channel},${h.purpose},${h.priority}`;
    }
    const known = slot < 0 ? alike.get(pattern ?? '') : ofZone[slot];
    if (known) return known;
    let notBefore = sendTimes.get(zone);
    if (notBefore === undefined) { notBefore = sendTimeFor(spec.schedule, zone, now); sendTimes.set(zone, notBefore); }
    const facts: CustomerFacts = { consent, timeZone: zone, inGlobalHoldout: controlGroup };
    const candidate: Candidate = { id, channel: spec.channel, purpose: 'marketing', priority: spec.priority, sourceKind: 'mass_send', notBefore };
    const decision = decide(candidate, facts, holders, settings, now);
    if (slot >= 0) ofZone[slot] = decision;
    else if (pattern !== null && alike.size < 100_000) alike.set(pattern, decision);
    return decision;
  };
}

/** ISO texts of the few instants a plan writes (each zone's send time, the moved ones), made once each. */
function isoTexts(): (at: number) => string {
  const texts = new Map<number, string>();
  return (at) => {
    let text = texts.get(at);
    if (text === undefined) { text = new Date(at).toISOString(); if (texts.size < 100_000) texts.set(at, text); }
    return text;
  };
}

const NO_HOLDERS: readonly SlotHolder[] = [];

/** Plans (or, with dryRun, only counts) a mass send. */
export async function planMassSend(db: Db, tenantId: string, spec: PlanSpec, options: PlanOptions = {}): Promise<PlanCounts> {
  const { withClient } = options;
  if (!options.dryRun && !withClient) throw new Error('planning a mass send needs a connection for its writes (withClient)');
  const settings = await getMessagingSettings(db, tenantId);
  const zone = await tenantZone(db, tenantId);
  const now = options.now ?? Date.now();
  const base = options.resumedFrom;
  const counts: PlanCounts = base ? structuredClone(base) : { audience: 0, planned: 0, heldOut: 0, excluded: {}, moved: {} };
  const resume = !options.dryRun && (base?.audience ?? 0) > 0;
  const decideFor = decider(tenantId, spec, settings, now);
  const inCampaignHoldout = holdoutDraw(`campaign:${spec.massSendId}`, spec.holdoutPercent);
  const iso = isoTexts();
  const copyConstants = { tenantId, massSendId: spec.massSendId };
  const plan = async (reader: Db, write: ((lines: Buffer) => Promise<void>) | null) => {
    let after = '00000000-0000-0000-0000-000000000000';
    let pendingWrite: Promise<unknown> = Promise.resolve();
    for (;;) {
      const chunk = await audienceChunk(reader, tenantId, spec, after, resume, options.chunkSize ?? CHUNK);
      const size = chunk.ids.length;
      if (size === 0) break;
      const first = chunk.ids[0] ?? after;
      after = chunk.ids[size - 1] ?? after;
      const holders = await slotHolders(reader, tenantId, sql`customer_id between ${first}::uuid and ${after}::uuid`, settings, now);
      const ids = chunkIds(size);
      const lines = write ? new PlannedLines(copyConstants, size) : null;
      for (let index = 0; index < size; index++) {
        const customerId = chunk.ids[index] ?? '';
        const guide = chunk.guides[index] ?? null;
        counts.audience++;
        const id = ids[index] ?? '';
        let verdict: PlannedRow['verdict'] = 'excluded'; let reason: string | null; let at: number | null = null;
        if (spec.channel === 'wecom' && guide === null) {
          reason = 'no_guide'; // WeCom mass messages go out through the customer's own guide
        } else {
          const decision = decideFor(id, customerId, chunk.zones[index] ?? zone, chunk.consents[index] ?? null, holders.get(customerId) ?? NO_HOLDERS);
          if (decision.verdict === 'drop') reason = decision.reason;
          else if (inCampaignHoldout(customerId)) { verdict = 'held_out'; reason = 'campaign_holdout'; at = decision.at; counts.heldOut++; }
          else {
            verdict = 'send'; reason = decision.movedBy; at = decision.at; counts.planned++;
            if (decision.movedBy) bump(counts.moved, decision.movedBy);
          }
        }
        if (verdict === 'excluded' && reason !== null) bump(counts.excluded, reason);
        lines?.add({ id, customerId, staffId: guide, verdict, reason, at: at === null ? null : iso(at) });
      }
      if (!write || !lines) continue;
      // the write of this chunk runs while the next one is read and decided
      await pendingWrite;
      const written = write(lines.done());
      written.catch(() => {}); // awaited (and its error thrown) before the next write or at the end
      pendingWrite = written;
    }
    await pendingWrite;
  };
  if (options.dryRun || !withClient) await plan(db, null);
  else {
    await withClient((writer) => withClient(async (readerClient) => {
      await readerClient.query('set max_parallel_workers_per_gather = 0');
      try {
        await plan(dbOnClient(readerClient), (lines) => copyPlannedChunk(writer, lines));
      } finally {
        await readerClient.query('reset max_parallel_workers_per_gather').catch(() => undefined);
      }
    }));
  }
  return counts;
}
