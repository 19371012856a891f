// What an ingested event must look like, checked one event at a time so that a batch accepts its
// good events and names the bad ones by index and code. An event is
//   { id, type, occurredAt, customer: { customerId | externalUserId | unionId | openId | phone | memberNo },
//     properties, source? }
// `id` is the sender's idempotency key. Standard types have checked properties (below); other
// types are free-form. `source` (wecom, miniprogram, pos, ...) ranks the event's profile attributes
// by trust (attributes.rules.ts); it defaults to api.
import { z } from 'zod';
import type { AttributeValues } from '../customers/attributes.rules.ts';
import { findNegativeAmount, parseInstant, parseOrder, zodMessage, type OrderDraft } from '../orders/record.rules.ts';
import { parseRef, type ParsedRef } from './identity.rules.ts';

export const MAX_EVENTS_PER_BATCH = 1000;
export const MAX_PROPERTIES_BYTES = 16 * 1024;

export const STANDARD_EVENT_TYPES = [
  'contact_added', 'contact_deleted', 'group_joined', 'group_left', 'message_received', 'message_sent',
  'order_paid', 'order_refunded', 'coupon_received', 'coupon_redeemed', 'form_submitted', 'page_viewed',
  'store_visited', 'profile_updated',
] as const;

/**
 * Types Yuchi records itself; a sender may not forge them: journeys react to segment entries and
 * exits and to tier changes, and a transfer, a referral or a coupon reversal stands for a decision
 * taken inside Yuchi (with its limits and audit), not for something an integration observed.
 */
export const RECORDED_BY_YUCHI = new Set([
  'tag_added', 'tag_removed', 'customer_merged', 'consent_changed', 'customer_erased', 'segment_entered', 'segment_exited',
  'customer_transferred', 'tier_changed', 'referral_attributed', 'coupon_reversed', 'journey_entered', 'journey_finished',
]);

const EVENT_TYPE = /^[a-z][a-z0-9_.]{0,63}$/;
const SOURCE = /^[a-z][a-z0-9_]{0,31}$/;

export interface Rejection {
  index: number;
  code: string;
  message: string;
}

export type StaffRef = { staffId: string } | { staffWecomUserId: string };

/** What an event does besides landing on the timeline. */
export type EventEffect =
  | { kind: 'none' }
  | { kind: 'contact'; action: 'added' | 'deleted'; staff: StaffRef; state: string | null; channel: string | null }
  | { kind: 'group'; action: 'joined' | 'left'; chatId: string; groupName: string | null; ownerWecomUserId: string | null }
  | { kind: 'order'; order: OrderDraft }
  | { kind: 'form'; formId: string; answers: Record<string, string | string[]> };

export interface CheckedEvent {
  index: number;
  key: string;
  type: string;
  occurredAt: Date;
  customer: ParsedRef;
  source: string;
  /** The properties as stored (JSON text). */
  propertiesJson: string;
  effect: EventEffect;
  /** Profile attributes the event states (contact_added, form_submitted, profile_updated). */
  attributes: Partial<AttributeValues> | null;
}

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const staffFields = { staffId: z.uuid('must be a staff id (UUID)').optional(), staffWecomUserId: text(64).optional() };
const attributeFields = {
  name: text(50).optional(),
  gender: z.union([z.enum(['male', 'female', 'unknown']), z.literal(0), z.literal(1), z.literal(2)]).optional(),
  birthday: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD').refine(isCalendarDate, 'is not a calendar date').optional(),
  city: text(50).optional(),
};

const Contact = z.looseObject({ ...staffFields, state: text(64).optional(), channel: text(64).optional(), ...attributeFields });
const Group = z.looseObject({ chatId: text(128), groupName: text(100).optional(), ownerWecomUserId: text(64).optional() });
const Form = z.looseObject({
  formId: z.uuid('must be a form id (UUID)'),
  answers: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
  ...attributeFields,
});
const Profile = z.looseObject(attributeFields);
const Message = z.looseObject({ ...staffFields, chatId: text(128).optional(), msgType: text(32).optional() });
const Coupon = z.looseObject({ couponId: text(64).optional(), discountFen: z.number().int().min(0).optional() });
const Page = z.looseObject({ url: z.string().max(2000).optional(), title: z.string().max(200).optional() });
const StoreVisit = z.looseObject({ storeId: z.uuid().optional(), storeCode: text(64).optional() });

const PROPERTY_SHAPES: Record<string, z.ZodType> = {
  contact_added: Contact, contact_deleted: Contact,
  group_joined: Group, group_left: Group,
  form_submitted: Form, profile_updated: Profile,
  message_received: Message, message_sent: Message,
  coupon_received: Coupon, coupon_redeemed: Coupon,
  page_viewed: Page, store_visited: StoreVisit,
};

function isCalendarDate(value: string): boolean {
  const ms = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const str = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);

function attributesOf(p: Record<string, unknown>): Partial<AttributeValues> | null {
  const out: Partial<AttributeValues> = {};
  const name = str(p.name);
  if (name !== null) out.name = name;
  const city = str(p.city);
  if (city !== null) out.city = city;
  if (typeof p.birthday === 'string') out.birthday = p.birthday;
  const g = p.gender;
  if (g === 'male' || g === 1) out.gender = 'male';
  else if (g === 'female' || g === 2) out.gender = 'female';
  return Object.keys(out).length > 0 ? out : null;
}

function staffOf(p: Record<string, unknown>): StaffRef | null {
  const id = str(p.staffId);
  if (id !== null) return { staffId: id.toLowerCase() };
  const wecom = str(p.staffWecomUserId);
  return wecom !== null ? { staffWecomUserId: wecom } : null;
}

/** A rejected event. (A plain function, not a closure made per event: this runs for every event.) */
function rejection(index: number, code: string, message: string): { rejection: Rejection } {
  return { rejection: { index, code, message } };
}

/** Checks one event of a batch. */
export function checkEvent(raw: unknown, index: number, now: Date): CheckedEvent | { rejection: Rejection } {
  const at = `events[${index}]`;
  if (!isRecord(raw)) return rejection(index, 'invalid_event', `${at}: must be an object`);

  const id = raw.id;
  if (id === undefined || id === null || id === '') return rejection(index, 'missing_id', `${at}.id: is required (the event's idempotency key)`);
  if (typeof id !== 'string' || id.length > 200) return rejection(index, 'invalid_id', `${at}.id: must be a string of at most 200 characters`);
  if (id.startsWith('yuchi:')) return rejection(index, 'invalid_id', `${at}.id: ids beginning "yuchi:" are Yuchi's own`);

  const type = raw.type;
  if (type === undefined || type === null || type === '') return rejection(index, 'missing_type', `${at}.type: is required`);
  if (typeof type !== 'string' || !EVENT_TYPE.test(type)) return rejection(index, 'invalid_type', `${at}.type: must be lower-case letters, digits, _ or . and start with a letter (at most 64)`);
  if (RECORDED_BY_YUCHI.has(type)) return rejection(index, 'invalid_type', `${at}.type: ${type} events are recorded by Yuchi itself`);

  if (raw.customer === undefined || raw.customer === null) return rejection(index, 'missing_customer', `${at}.customer: is required`);
  const customer = parseRef(raw.customer, `${at}.customer`);
  if ('error' in customer) return rejection(index, customer.error.code, customer.error.message);

  const occurredAt = parseInstant(raw.occurredAt, now);
  if (typeof occurredAt === 'string') return rejection(index, 'invalid_timestamp', `${at}.occurredAt: ${raw.occurredAt === undefined ? 'is required' : occurredAt}`);

  let source = 'api';
  if (raw.source !== undefined) {
    if (typeof raw.source !== 'string' || !SOURCE.test(raw.source)) return rejection(index, 'invalid_source', `${at}.source: must be a source name such as wecom, miniprogram or pos`);
    source = raw.source;
  }

  const properties = raw.properties ?? {};
  if (!isRecord(properties)) return rejection(index, 'invalid_properties', `${at}.properties: must be an object`);
  const negative = findNegativeAmount(properties, `${at}.properties`);
  if (negative) return rejection(index, 'negative_amount', `${negative}: must not be negative`);
  const propertiesJson = JSON.stringify(properties);
  // A UTF-16 unit is at most 3 bytes of UTF-8: short text needs no byte count.
  if (propertiesJson.length * 3 > MAX_PROPERTIES_BYTES && Buffer.byteLength(propertiesJson) > MAX_PROPERTIES_BYTES) return rejection(index, 'invalid_properties', `${at}.properties: must be at most ${MAX_PROPERTIES_BYTES} bytes of JSON`);

  const shape = PROPERTY_SHAPES[type];
  if (shape) {
    const checked = shape.safeParse(properties);
    if (!checked.success) return rejection(index, 'invalid_properties', zodMessage(checked.error, `${at}.properties`));
  }

  let effect: EventEffect = { kind: 'none' };
  let attributes: Partial<AttributeValues> | null = null;
  switch (type) {
    case 'contact_added':
    case 'contact_deleted': {
      const staff = staffOf(properties);
      if (!staff) return rejection(index, 'invalid_properties', `${at}.properties.staffWecomUserId: a contact event names the staff member (staffWecomUserId or staffId)`);
      effect = { kind: 'contact', action: type === 'contact_added' ? 'added' : 'deleted', staff, state: str(properties.state), channel: str(properties.channel) };
      if (type === 'contact_added') attributes = attributesOf(properties);
      break;
    }
    case 'group_joined':
    case 'group_left':
      effect = {
        kind: 'group', action: type === 'group_joined' ? 'joined' : 'left', chatId: str(properties.chatId) ?? '',
        groupName: str(properties.groupName), ownerWecomUserId: str(properties.ownerWecomUserId),
      };
      break;
    case 'order_paid':
    case 'order_refunded': {
      // The event carries the order's state; it goes through the same checks as POST /orders.
      const order = parseOrder({
        channel: 'other',
        ...properties,
        customer: raw.customer,
        orderedAt: properties.orderedAt ?? raw.occurredAt,
        ...(type === 'order_refunded' && properties.refundedFen === undefined ? { status: 'refunded' } : {}),
      }, index, now, `${at}.properties`);
      if ('rejection' in order) return order;
      if (type === 'order_refunded' && order.refundedFen === 0) return rejection(index, 'invalid_properties', `${at}.properties.refundedFen: an order_refunded event refunds something`);
      effect = { kind: 'order', order };
      break;
    }
    case 'form_submitted': {
      const answers = Form.safeParse(properties);
      if (answers.success) effect = { kind: 'form', formId: answers.data.formId.toLowerCase(), answers: answers.data.answers };
      attributes = attributesOf(properties);
      break;
    }
    case 'profile_updated':
      attributes = attributesOf(properties);
      break;
  }
  return { index, key: id, type, occurredAt, customer, source, propertiesJson, effect, attributes };
}

/** Checks a batch: events to ingest (first of each id) and rejections, both by index. */
export function checkEvents(raw: unknown[], now: Date): { events: CheckedEvent[]; rejected: Rejection[]; repeated: number } {
  const events: CheckedEvent[] = [];
  const rejected: Rejection[] = [];
  const seen = new Set<string>();
  let repeated = 0;
  raw.forEach((item, index) => {
    const checked = checkEvent(item, index, now);
    if ('rejection' in checked) {
      rejected.push(checked.rejection);
    } else if (seen.has(checked.key)) {
      repeated += 1; // the same id twice in one batch: the second is a duplicate
    } else {
      seen.add(checked.key);
      events.push(checked);
    }
  });
  return { events, rejected, repeated };
}
