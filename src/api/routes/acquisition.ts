// Acquisition codes (渠道活码 / 门店码): CRUD, their funnel, the QR image of their landing page,
// the public landing page a printed QR opens, and the nearest open store for coordinates.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { codeStats, createCode, getCode, listCodes, updateCode } from '../../core/acquisition/codes.service.ts';
import { renderLanding } from '../../core/acquisition/landing.page.ts';
import { answerScan, nearestStore } from '../../core/acquisition/landing.service.ts';
import { invalid } from '../../core/errors.ts';
import { nextDate, startOfLocalDay } from '../../core/time.ts';
import { actorOf } from '../auth.ts';
import { CalendarDate, Id, IdParams, Instant, protectedErrors } from '../schemas.ts';

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM');
const CodeKind = z.enum(['store_counter', 'order_card', 'poster', 'ad', 'store_routing', 'other'])
  .describe('store_counter 门店码, order_card 外卖/订单卡片, poster 海报, ad 广告, store_routing 按位置分配到最近门店, other');
const Member = z.object({
  staffId: Id,
  dailyCap: z.number().int().min(1).max(100_000).nullable().describe('adds a day through this code; null: no cap'),
  qrUrl: z.url({ error: 'must be a URL' }).max(1000).describe('the staff member\'s own add-friend QR image (WeCom contact way)'),
  backup: z.boolean().default(false).describe('answers only when every regular member is capped or the code is off-hours'),
});
const CodeBody = z.object({
  name: z.string().trim().min(1).max(100),
  kind: CodeKind,
  storeId: Id.nullable().optional(),
  campaign: z.string().max(100).optional(),
  state: z.string().optional().describe('WeCom contact-way state (≤ 30 characters) attributing every add; made from the code when left out'),
  rotation: z.array(Member).max(200).describe('who answers a scan, in order; at least one regular member'),
  worksFrom: HHMM.nullable().optional().describe('local time the regular members start answering'),
  worksTo: HHMM.nullable().optional(),
  tagIds: z.array(Id).max(50).optional().describe('tags every friend this code brings gets'),
  welcomeText: z.string().max(1000).optional().describe('welcome message; variables {nickname}, {store}, {guide}'),
  welcomePersona: z.string().max(50).optional().describe('the voice the welcome is signed with (e.g. 果果, 店长小林)'),
  welcomeCouponTemplateId: Id.nullable().optional().describe('coupon every new friend gets once (百果园 ¥5 on first join)'),
  routingRadiusKm: z.number().positive().max(500).optional().describe('store routing: how far the chosen store may be'),
  status: z.enum(['active', 'paused']).optional(),
});
const CodeView = z.object({
  id: z.string(), codeKey: z.string(), landingPath: z.string(), name: z.string(), kind: CodeKind, store: z.object({ id: z.string(), name: z.string() }).nullable(),
  campaign: z.string(), state: z.string(),
  rotation: z.array(z.object({ staffId: z.string(), dailyCap: z.number().int().nullable(), qrUrl: z.string(), backup: z.boolean(), staffName: z.string(), staffStatus: z.string() })),
  worksFrom: z.string().nullable(), worksTo: z.string().nullable(), tagIds: z.array(z.string()), welcomeText: z.string(), welcomePersona: z.string(),
  welcomeCouponTemplateId: z.string().nullable(), routingRadiusKm: z.number(), status: z.enum(['active', 'paused']), createdAt: Instant, updatedAt: Instant,
});
const Stats = z.object({ codeId: z.string(), scans: z.number().int(), adds: z.number().int(), kept: z.number().int().describe('not deleted within 7 days of the add'), ordered: z.number().int().describe('ordered after the add') });
const RangeQuery = z.object({ from: CalendarDate.optional().describe('first local day; 30 days back when left out'), to: CalendarDate.optional().describe('last local day, included; today when left out') });

function localRange(timeZone: string, q: { from?: string | undefined; to?: string | undefined }): { from: Date; to: Date } {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const to = q.to ?? today;
  const from = q.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
  if (from > to) throw invalid('query.from', 'must not be after to', { code: 'range_reversed', params: { from, to } });
  return { from: startOfLocalDay(from, timeZone), to: startOfLocalDay(nextDate(to), timeZone) };
}

/** The address a printed QR points at: PUBLIC_URL when set (behind a proxy), else what the caller reached. */
function publicBase(request: FastifyRequest): string {
  const configured = process.env.YUCHI_PUBLIC_URL;
  if (configured) return configured.replace(/\/+$/, '');
  return `${request.protocol}://${request.host}`;
}

export function acquisitionRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['acquisition'];

  r.get('/api/v1/codes', {
    config: { permission: 'org:read' },
    schema: { tags, summary: 'Acquisition codes with their funnel over a range', querystring: RangeQuery, response: { 200: z.object({ items: z.array(CodeView.extend({ stats: Stats })) }), ...protectedErrors } },
  }, async (request) => {
    const actor = actorOf(request);
    const range = localRange(actor.timezone, request.query);
    const [codes, stats] = await Promise.all([listCodes(db, actor.tenantId), codeStats(db, actor.tenantId, range)]);
    const byCode = new Map(stats.map((s) => [s.codeId, s]));
    return { items: codes.map((c) => ({ ...c, stats: byCode.get(c.id) ?? { codeId: c.id, scans: 0, adds: 0, kept: 0, ordered: 0 } })) };
  });

  r.post('/api/v1/codes', {
    config: { permission: 'codes:write' },
    schema: {
      tags, summary: 'Create an acquisition code',
      description: 'Refused (400) with the reason when the rotation has no staff, names inactive staff or only backups, or a tag, store or coupon template is unknown; 409 when the state is taken.',
      body: CodeBody, response: { 201: CodeView, 409: protectedErrors[400], ...protectedErrors },
    },
  }, async (request, reply) => reply.status(201).send(await createCode(db, actorOf(request).tenantId, request.body)));

  r.get('/api/v1/codes/:id', {
    config: { permission: 'org:read' },
    schema: { tags, summary: 'One acquisition code', params: IdParams, response: { 200: CodeView, ...protectedErrors } },
  }, async (request) => getCode(db, actorOf(request).tenantId, request.params.id));

  r.put('/api/v1/codes/:id', {
    config: { permission: 'codes:write' },
    schema: { tags, summary: 'Change an acquisition code (its printed QR stays the same)', params: IdParams, body: CodeBody, response: { 200: CodeView, 409: protectedErrors[400], ...protectedErrors } },
  }, async (request) => updateCode(db, actorOf(request).tenantId, request.params.id, request.body));

  r.get('/api/v1/codes/:id/stats', {
    config: { permission: 'org:read' },
    schema: { tags, summary: 'One code\'s funnel: scans → adds → kept after 7 days → ordered', params: IdParams, querystring: RangeQuery, response: { 200: Stats, ...protectedErrors } },
  }, async (request) => {
    const actor = actorOf(request);
    const code = await getCode(db, actor.tenantId, request.params.id);
    const [stats] = await codeStats(db, actor.tenantId, localRange(actor.timezone, request.query), code.id);
    return stats ?? { codeId: code.id, scans: 0, adds: 0, kept: 0, ordered: 0 };
  });

  r.get('/api/v1/codes/:id/qr.png', {
    config: { permission: 'org:read' },
    schema: { tags, summary: 'The printable QR image of the code\'s landing page (PNG)', params: IdParams, querystring: z.object({ size: z.coerce.number().int().min(64).max(2048).default(512) }) },
  }, async (request, reply) => {
    const code = await getCode(db, actorOf(request).tenantId, request.params.id);
    const png = await QRCode.toBuffer(`${publicBase(request)}${code.landingPath}`, { type: 'png', width: request.query.size, margin: 2, errorCorrectionLevel: 'M' });
    return reply.type('image/png').header('cache-control', 'private, max-age=300').send(png);
  });

  r.get('/api/v1/stores/nearest', {
    config: { permission: 'org:read' },
    schema: {
      tags, summary: 'The nearest store open now within a radius',
      querystring: z.object({ lat: z.coerce.number().min(-90).max(90), lng: z.coerce.number().min(-180).max(180), radiusKm: z.coerce.number().positive().max(500).default(10) }),
      response: {
        200: z.object({ store: z.object({ id: z.string(), code: z.string(), name: z.string(), address: z.string(), opensAt: z.string().nullable(), closesAt: z.string().nullable(), distanceKm: z.number() }).nullable() }),
        ...protectedErrors,
      },
    },
  }, async (request) => {
    const actor = actorOf(request);
    const q = request.query;
    return { store: await nearestStore(db, actor.tenantId, actor.timezone, { lat: q.lat, lng: q.lng }, q.radiusKm) };
  });

  // The printed QR opens this page on the scanner's phone: public, counted, no sign-in.
  r.get('/q/:tenant/:key', {
    config: { public: true },
    schema: {
      hide: true,
      params: z.object({ tenant: z.string().max(40), key: z.string().max(16) }),
      querystring: z.object({ lat: z.coerce.number().min(-90).max(90).optional(), lng: z.coerce.number().min(-180).max(180).optional(), located: z.enum(['no']).optional() }),
    },
  }, async (request, reply) => {
    const q = request.query;
    const where = q.lat !== undefined && q.lng !== undefined ? { lat: q.lat, lng: q.lng } : q.located === 'no' ? 'declined' as const : null;
    const answer = await answerScan(db, request.params.tenant, request.params.key, where);
    if (answer.kind === 'redirect') return reply.redirect(answer.path, 302);
    return reply.status(answer.kind === 'not_found' ? 404 : 200).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderLanding(answer));
  });
}
