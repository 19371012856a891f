// The customer schemas of the API: the list row, and the 360 that extends it. Shared by the
// customer and profile routes.
import { z } from 'zod';
import { Fen, Gender, IdentityKind, Instant, Ref } from './schemas.ts';

export const CustomerSummary = z.object({
  id: z.string(),
  name: z.string(),
  gender: Gender,
  phone: z.string().nullable(),
  memberNo: z.string().nullable(),
  city: z.string(),
  sourceChannel: z.string(),
  store: Ref.nullable(),
  guide: Ref.nullable(),
  orderCount: z.number().int(),
  orderDays: z.number().int().describe('distinct purchase days, in the tenant time zone'),
  totalSpentFen: Fen,
  firstOrderAt: Instant.nullable(),
  lastOrderAt: Instant.nullable(),
  createdAt: Instant,
});

const TagSource = z.enum(['manual', 'rule', 'form', 'pretag', 'import', 'api', 'event']);
const ConsentChannel = z.enum(['wecom', 'sms', 'email', 'phone', 'miniprogram']);

export const CustomerProfile = CustomerSummary.extend({
  birthday: z.string().nullable(),
  averageTicketFen: Fen,
  lastActiveAt: Instant.nullable(),
  identities: z.array(z.object({ kind: IdentityKind, value: z.string(), createdAt: Instant })),
  attributeSources: z.record(z.string(), z.object({ source: z.string(), at: Instant }))
    .describe('where each attribute value came from: the most recent value from the most trusted source wins (manual 4 > pos/import 3 > wecom/miniprogram 2 > api 1)'),
  tags: z.array(z.object({ id: z.string(), name: z.string(), color: z.string(), group: Ref, source: TagSource, addedBy: z.string().nullable(), addedAt: Instant })),
  groups: z.array(z.object({ id: z.string(), chatId: z.string(), name: z.string(), joinedAt: Instant, leftAt: Instant.nullable() })),
  contacts: z.array(z.object({ staff: Ref, state: z.string().nullable(), addedAt: Instant, deletedAt: Instant.nullable() })),
  consents: z.array(z.object({ channel: ConsentChannel, granted: z.boolean(), source: z.string(), updatedAt: Instant })),
  mergedFrom: z.object({ id: z.string(), mergedAt: Instant }).optional().describe('present when the id asked for was merged into this profile'),
  scores: z.object({
    rfmCell: z.string().nullable().describe('important_value … general_retain; null without an order in the RFM window'),
    rScore: z.number().int().nullable(), fScore: z.number().int().nullable(), mScore: z.number().int().nullable(),
    lifecycleStage: z.string().describe('prospect, new, active, dormant, churned or returned'),
    valueTier: z.string().nullable(),
    pAlive: z.number().nullable().describe('probability the customer still buys (BG/NBD); churn probability is 1 − pAlive'),
    clvFen: z.number().int().nullable().describe('predicted value over the tenant horizon, fen'),
    computedAt: Instant,
  }).nullable().describe('the latest scoring run\'s scores; null before the first run'),
});
