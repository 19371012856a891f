// The demo world as rows: stores, staff, then customers chunk by chunk with their identities,
// orders and order lines, formatted for COPY's text format. Every draw comes, in order, from one
// generator seeded with the seed, so a seed, an end date and a customer count always give the
// same bytes. Each customer's order aggregates are computed here as the orders are drawn, with
// refreshOrderAggregates' definition (src/core/customers/aggregates.service.ts): over orders not
// fully refunded, first and last ordered_at, count, distinct local days, Σ(paid − refunded).
import {
  AcquisitionSchedule, Assortment, MobileNumbers, Random, WeeklyRhythm, WeightedChoice, deterministicId, drawTraits, externalUserId,
  normal, openId, orderValueFen, personName, purchaseTimes, uniform, unionId, urlSafeText, weekdayOfDay, type BasketLine, type Gender, type ZoneClock,
} from './demo.rules.ts';
import type { DemoStore } from './demo.catalog.ts';
import { FRUIT_PROFILE, type DemoProfile } from './demo.profile.ts';

const DAY_MS = 86_400_000;
const YEAR_MS = 365.2425 * DAY_MS;
/** Identities that arrive after joining do so after a delay with this mean (days). */
const LATER_IDENTITY_MEAN_DAYS = 30;
const OPENID_SHARE = 0.6;
/** unionid mostly comes with an openid (same WeChat user across apps): 0.6·0.9 + 0.4·0.15 = 0.6. */
const UNIONID_GIVEN_OPENID = 0.9;
const UNIONID_WITHOUT_OPENID = 0.15;
const BIRTHDAY_KNOWN_SHARE = 0.7;
const YIELD_EVERY_MS = 4;
const STAFF_PHONE_INDEX = 4_000_000_000;
const CHANNEL_LETTER = { pos: 'P', miniprogram: 'M', group_buy: 'J', ecommerce: 'E' } as const;
/**
 * WeCom friends and groups: a customer with an external_userid is a friend of one staff member
 * from the day it arrived; some delete the friend again, and about half join one of their home
 * store's two groups (百果园's store groups), a few leaving later. Drawn from a stream of their own
 * so adding them left every other row of a seed as it was.
 */
const FRIEND_DELETED_SHARE = 0.06;
const FRIEND_DELETED_MEAN_DAYS = 12;
const GROUP_JOIN_MEAN_DAYS = 2;
const GROUP_LEFT_SHARE = 0.12;
const GROUP_LEFT_MEAN_DAYS = 25;
const SOCIAL_STREAM = 1_000_003;

export interface ChunkRows {
  customers: RowBuffer;
  identities: RowBuffer;
  orders: RowBuffer;
  items: RowBuffer;
  contacts: RowBuffer;
  members: RowBuffer;
  customerCount: number;
  identityCount: number;
  orderCount: number;
  itemCount: number;
  contactCount: number;
  memberCount: number;
}

interface DraftRows {
  customers: RowBuffer;
  identities: SortedRows;
  orders: SortedRows;
  items: SortedRows;
  contacts: RowBuffer;
  members: RowBuffer;
  customerCount: number;
  identityCount: number;
  orderCount: number;
  itemCount: number;
  contactCount: number;
  memberCount: number;
}

interface StoreState {
  store: DemoStore;
  id: string;
  staffIds: string[];
  guides: WeightedChoice<string>;
  groupIds: string[];
}

/** COPY text format: backslash, tab, newline and carriage return must be escaped. */
export function copyText(value: string): string {
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : value;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Rows written as they are drawn and handed to COPY in key order, so that an index is filled page
 * by page instead of all over. For orders (UUIDv7 ids, i.e. time order: the primary key and the
 * time index) it nearly halved PostgreSQL's time in a trial. A record may hold several rows (an
 * order's lines), which keep their order.
 */
export class SortedRows {
  private readonly unsorted: RowBuffer;
  private readonly keys: string[] = [];
  private readonly starts: number[] = [];

  constructor(capacity: number) {
    this.unsorted = new RowBuffer(capacity);
  }

  /** Starts a record; the rows added until the next start belong to it. */
  start(key: string): void {
    this.keys.push(key);
    this.starts.push(this.unsorted.length);
  }

  add(row: string): void {
    if (this.keys.length === 0) throw new RangeError('start a record first');
    this.unsorted.add(row);
  }

  sorted(): RowBuffer {
    const records = this.keys.map((key, i) => ({ key, start: this.starts[i] ?? 0, end: this.starts[i + 1] ?? this.unsorted.length }));
    records.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const out = new RowBuffer(Math.max(1, this.unsorted.length));
    for (const r of records) out.append(this.unsorted, r.start, r.end);
    return out;
  }
}

/**
 * Rows encoded into one growing buffer as they are made. Appending millions of rows to a string
 * builds a rope the garbage collector spends most of its time on; off-heap bytes it never scans.
 */
export class RowBuffer {
  private buffer: Buffer;
  private used = 0;

  constructor(capacity = 1 << 20) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  add(row: string): void {
    const room = this.buffer.length - this.used;
    if (room < row.length * 3) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.used + row.length * 3));
      this.buffer.copy(bigger, 0, 0, this.used);
      this.buffer = bigger;
    }
    this.used += this.buffer.write(row, this.used, 'utf8');
  }

  get length(): number {
    return this.used;
  }

  /** Appends bytes [start, end) of another buffer. */
  append(from: RowBuffer, start: number, end: number): void {
    if (this.buffer.length - this.used < end - start) throw new RangeError('row buffer too small');
    this.used += from.buffer.copy(this.buffer, this.used, start, end);
  }

  get bytes(): Buffer {
    return this.buffer.subarray(0, this.used);
  }
}

export class DemoWorld {
  private readonly rng: Random;
  private readonly social: Random;
  private readonly tenant: string; // "tenant_id\t", the start of every row
  private readonly clock: ZoneClock;
  private readonly startMs: number;
  private readonly endMs: number;
  private readonly rhythm: WeeklyRhythm;
  private readonly schedule: AcquisitionSchedule;
  private readonly profile: DemoProfile;
  private readonly assortment: Assortment;
  private readonly mobiles: MobileNumbers;
  private readonly openIdPrefix: string;
  private readonly sources: WeightedChoice<DemoProfile['sources'][number]>;
  private readonly repeatChannels: WeightedChoice<DemoProfile['repeatChannels'][number]['channel']>;
  private readonly cities: WeightedChoice<string>;
  private readonly genders: WeightedChoice<Gender>;
  private stores: StoreState[] = [];
  private homeStores: WeightedChoice<StoreState> | undefined;
  private next = 0;
  private orderSeq = 0;
  private readonly days = new Map<number, { digits: string; month: number }>();

  constructor(options: { tenantId: string; seed: number; customers: number; clock: ZoneClock; startMs: number; endMs: number; profile?: DemoProfile }) {
    const profile = options.profile ?? FRUIT_PROFILE;
    this.profile = profile;
    this.rng = new Random(options.seed);
    this.social = new Random(options.seed + SOCIAL_STREAM);
    this.tenant = options.tenantId + '\t';
    this.clock = options.clock;
    this.startMs = options.startMs;
    this.endMs = options.endMs;
    this.assortment = new Assortment(profile.catalog);
    this.sources = new WeightedChoice(profile.sources, profile.sources.map((s) => s.weight));
    this.repeatChannels = new WeightedChoice(profile.repeatChannels.map((c) => c.channel), profile.repeatChannels.map((c) => c.weight));
    this.cities = new WeightedChoice(profile.customerCities.map((c) => copyText(c.city)), profile.customerCities.map((c) => c.weight));
    this.genders = new WeightedChoice<Gender>(['female', 'male', 'unknown'], profile.genders);
    this.rhythm = new WeeklyRhythm(this.clock, profile.shape);
    this.schedule = new AcquisitionSchedule(this.clock, this.startMs, this.endMs, options.customers, profile.shape);
    this.mobiles = new MobileNumbers(this.rng);
    this.openIdPrefix = 'o' + urlSafeText(this.rng, 5);
  }

  /** The chain's stores (opened months or years before the window), their staff and their groups. */
  storesAndStaff(): { stores: string; staff: string; groups: string; storeCount: number; staffCount: number; groupCount: number } {
    const rng = this.rng;
    let stores = '';
    let staff = '';
    let groups = '';
    let staffCount = 0;
    let groupCount = 0;
    const profile = this.profile;
    for (const store of profile.stores) {
      const opened = this.startMs - Math.floor(uniform(rng, 60, 900) * DAY_MS);
      const id = deterministicId(rng, opened);
      stores += `${this.tenant}${id}\t${store.code}\t${copyText(store.name)}\t${copyText(profile.city)}\t${copyText(store.district)}\t${copyText(store.address)}\t${store.latitude}\t${store.longitude}\t${store.opensAt}\t${store.closesAt}\topen\t${iso(opened)}\n`;
      const staffIds: string[] = [];
      const weights: number[] = [];
      for (let k = 0; k <= store.guides; k++) {
        const joined = opened + Math.floor(uniform(rng, 0, (this.startMs - opened) / DAY_MS) * DAY_MS);
        const staffId = deterministicId(rng, joined);
        const name = profile.staffNames[staffCount % profile.staffNames.length] ?? '店员';
        const title = k === 0 ? 'manager' : 'guide';
        const userId = `${store.code.toLowerCase()}-${k === 0 ? 'dz' : `dg${k}`}`;
        const phone = this.mobiles.at(STAFF_PHONE_INDEX - staffCount); // far from customers' indexes 0, 1, 2 …
        staff += `${this.tenant}${staffId}\t${id}\t${copyText(name)}\t${userId}\t${phone}\t${title}\tactive\t${iso(joined)}\n`;
        staffIds.push(staffId);
        weights.push(k === 0 ? 0.5 : 1); // the 店长 adds customers too (order-card QR codes), less often
        staffCount++;
      }
      // the groups, each run by a guide (the manager when the store has none), open before the window
      const groupIds: string[] = [];
      for (let g = 1; g <= profile.groups.length; g++) {
        const group = profile.groups[g - 1];
        if (!group) continue;
        const created = this.startMs - Math.floor(uniform(this.social, 7, 60) * DAY_MS);
        const groupId = deterministicId(this.social, created);
        const owner = staffIds[1 + ((g - 1) % Math.max(1, staffIds.length - 1))] ?? staffIds[0] ?? '\\N';
        const name = copyText(group.name.replace('{store}', store.name).replace('{n}', String(g)));
        groups += `${this.tenant}${groupId}\twr${store.code.toLowerCase()}g${g}\t${name}\t${owner}\t${id}\t${iso(created)}\t${group.kind}\t${copyText(group.purpose)}\tactive\t${iso(created)}\n`;
        groupIds.push(groupId);
        groupCount++;
      }
      this.stores.push({ store, id, staffIds, guides: new WeightedChoice(staffIds, weights), groupIds });
    }
    this.homeStores = new WeightedChoice(this.stores, this.stores.map((s) => s.store.weight));
    return { stores, staff, groups, storeCount: this.stores.length, staffCount, groupCount };
  }

  /** Customers [from, to) in joining order, with everything that hangs off them. */
  async chunk(from: number, to: number): Promise<ChunkRows> {
    if (from !== this.next) throw new RangeError('customers must be generated in order');
    const size = to - from;
    const draft: DraftRows = {
      customers: new RowBuffer(size * 400), identities: new SortedRows(size * 400), orders: new SortedRows(size * 1200), items: new SortedRows(size * 1600),
      contacts: new RowBuffer(size * 160), members: new RowBuffer(size * 120),
      customerCount: 0, identityCount: 0, orderCount: 0, itemCount: 0, contactCount: 0, memberCount: 0,
    };
    // The COPY of the previous chunk streams, and moves from one statement to the next, only
    // when the event loop turns: yield every few milliseconds so PostgreSQL is never kept waiting.
    let lastYield = performance.now();
    for (let index = from; index < to; index++) {
      this.customer(index, draft);
      if (index % 16 === 15 && performance.now() - lastYield > YIELD_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
    this.next = to;
    return { ...draft, identities: draft.identities.sorted(), orders: draft.orders.sorted(), items: draft.items.sorted() };
  }

  private customer(index: number, rows: DraftRows): void {
    const rng = this.rng;
    const homeStores = this.homeStores;
    if (!homeStores) throw new Error('storesAndStaff() comes first');
    const joined = this.schedule.next(rng);
    const profile = this.profile;
    const traits = drawTraits(rng, profile.shape);
    const gender = this.genders.pick(rng);
    const name = copyText(personName(rng, gender));
    const birthday = rng.chance(BIRTHDAY_KNOWN_SHARE) ? this.birthday() : '\\N';
    const city = this.cities.pick(rng);
    const source = this.sources.pick(rng);
    const home = homeStores.pick(rng);
    const guide = rng.chance(profile.guideShare) ? home.guides.pick(rng) : undefined;
    const id = deterministicId(rng, joined);
    const T = this.tenant;

    // Identities: phone and member number at joining, the rest when (if) they arrive.
    let updated = joined;
    const identity = (kind: string, value: string, at: number): void => {
      rows.identities.start(`${kind}\t${value}`);
      rows.identities.add(`${T}${kind}\t${value}\t${id}\t${iso(at)}\n`);
      rows.identityCount++;
      if (at > updated) updated = at;
    };
    identity('phone', this.mobiles.at(index), joined);
    identity('member_no', `M${10_000_001 + index}`, joined);
    if (rng.chance(profile.friendShare)) {
      const friendAt = this.later(joined, guide !== undefined ? 0.6 : 0.2);
      identity('external_userid', externalUserId(rng), friendAt);
      this.friend(id, friendAt, guide ?? home.guides.pick(this.social), home, rows);
    }
    const online = source.source !== 'store_qr' ? 0.8 : 0.3;
    const hasOpenId = rng.chance(OPENID_SHARE);
    if (hasOpenId) identity('openid', openId(rng, this.openIdPrefix), this.later(joined, online));
    if (rng.chance(hasOpenId ? UNIONID_GIVEN_OPENID : UNIONID_WITHOUT_OPENID)) identity('unionid', unionId(rng), this.later(joined, online));

    // Orders, and the aggregates refreshOrderAggregates would compute from them.
    let firstOrder = -1;
    let lastOrder = -1;
    let orderCount = 0;
    let orderDays = 0;
    let lastDay = Number.NaN;
    let spent = 0;
    let firstDaySpent = 0;
    const times = purchaseTimes(rng, traits, joined, this.endMs, this.rhythm);
    for (let k = 0; k < times.length; k++) {
      const at = times[k] ?? joined;
      const channel = k === 0 ? source.firstOrder : this.repeatChannels.pick(rng);
      const store = channel === 'ecommerce' ? undefined : channel === 'pos' && !rng.chance(profile.homeStoreShare) ? homeStores.pick(rng) : home;
      let staffId: string | undefined;
      if (channel === 'pos' && store) staffId = store === home && guide !== undefined ? guide : store.guides.pick(rng);
      else if (channel === 'group_buy') staffId = guide; // the 接龙 ran in the guide's group

      const localDay = this.clock.localDay(at);
      const day = this.calendar(localDay);
      const paid = orderValueFen(rng, traits, profile.shape);
      const memberDay = weekdayOfDay(localDay) === 2 && channel !== 'ecommerce' && rng.chance(profile.memberDayCouponShare);
      const listed = memberDay ? Math.round(paid / profile.memberDayPrice) : paid;
      const u = rng.float();
      const status = u < profile.refundedShare ? 'refunded' : u < profile.refundedShare + profile.partiallyRefundedShare && paid >= 2 ? 'partially_refunded' : 'paid';
      const refunded = status === 'refunded' ? paid : status === 'partially_refunded' ? Math.min(paid - 1, Math.max(1, Math.round(paid * uniform(rng, 0.1, 0.6)))) : 0;
      const orderId = deterministicId(rng, at);
      const orderNo = `${CHANNEL_LETTER[channel]}${day.digits}${String(++this.orderSeq).padStart(8, '0')}`;
      const orderedAt = iso(at);
      // Fruit weighed at the till comes to the listed amount exactly; whole pieces may come to more,
      // the difference being the order's discount.
      const lines: BasketLine[] = this.assortment.basket(rng, listed, day.month);
      let total = 0;
      for (const l of lines) total += l.amountFen;
      rows.orders.start(orderId);
      rows.orders.add(`${T}${orderId}\t${orderNo}\t${id}\t${store ? store.id : '\\N'}\t${staffId ?? '\\N'}\t${channel}\t${status}\t${total}\t${total - paid}\t${paid}\t${refunded}\t${orderedAt}\t${orderedAt}\n`);
      rows.orderCount++;

      rows.items.start(orderId);
      for (let line = 0; line < lines.length; line++) {
        const l = lines[line];
        if (!l) continue;
        rows.items.add(`${T}${orderId}\t${line + 1}\t${l.sku.sku}\t${copyText(l.sku.name)}\t${l.quantity}\t${l.unitPriceFen}\t${l.amountFen}\n`);
      }
      rows.itemCount += lines.length;

      if (at > updated) updated = at;
      if (status === 'refunded') continue;
      if (firstOrder < 0) firstOrder = at;
      lastOrder = at;
      orderCount++;
      if (localDay !== lastDay) {
        orderDays++;
        lastDay = localDay;
      }
      spent += paid - refunded;
      if (orderDays === 1) firstDaySpent += paid - refunded;
    }

    const firstAt = firstOrder < 0 ? '\\N' : iso(firstOrder);
    const lastAt = lastOrder < 0 ? '\\N' : iso(lastOrder);
    rows.customers.add(`${T}${id}\t${name}\t${gender}\t${birthday}\t${city}\t${source.source}\t${home.id}\t${guide ?? '\\N'}\t${iso(joined)}\t${iso(updated)}\t${firstAt}\t${lastAt}\t${orderCount}\t${orderDays}\t${spent}\t${firstDaySpent}\n`);
    rows.customerCount++;
  }

  /** The friend a customer with an external_userid is, and the store group they may join. */
  private friend(customerId: string, at: number, staffId: string, home: StoreState, rows: DraftRows): void {
    const social = this.social;
    const T = this.tenant;
    const gone = social.chance(FRIEND_DELETED_SHARE) ? this.after(at, FRIEND_DELETED_MEAN_DAYS) : undefined;
    rows.contacts.add(`${T}${customerId}\t${staffId}\tstore-${home.store.code.toLowerCase()}\t${iso(at)}\t${gone === undefined ? '\\N' : iso(gone)}\n`);
    rows.contactCount++;
    if (gone !== undefined || !social.chance(this.profile.groupJoinShare)) return;
    const joinedAt = this.after(at, GROUP_JOIN_MEAN_DAYS);
    if (joinedAt === undefined) return;
    const groupId = home.groupIds[Math.floor(social.float() * home.groupIds.length)];
    if (!groupId) return;
    const left = social.chance(GROUP_LEFT_SHARE) ? this.after(joinedAt, GROUP_LEFT_MEAN_DAYS) : undefined;
    rows.members.add(`${T}${groupId}\t${customerId}\t${iso(joinedAt)}\t${left === undefined ? '\\N' : iso(left)}\n`);
    rows.memberCount++;
  }

  /** Some days after `at` (exponential with the mean), or undefined when that is past the end. */
  private after(at: number, meanDays: number): number | undefined {
    const next = at + Math.floor(-Math.log(1 - this.social.float()) * meanDays * DAY_MS);
    return next < this.endMs ? next : undefined;
  }

  /** A local day's YYYYMMDD and month, computed once per day rather than once per order. */
  private calendar(localDay: number): { digits: string; month: number } {
    let day = this.days.get(localDay);
    if (!day) {
      const date = iso(localDay * DAY_MS);
      day = { digits: date.slice(0, 4) + date.slice(5, 7) + date.slice(8, 10), month: Number(date.slice(5, 7)) };
      this.days.set(localDay, day);
    }
    return day;
  }

  /** Ages around the profile's mean (the fruit chain's mid-thirties), within 16–78. */
  private birthday(): string {
    const age = Math.min(78, Math.max(16, normal(this.rng, this.profile.age.mean, this.profile.age.sd)));
    return iso(this.endMs - age * YEAR_MS).slice(0, 10);
  }

  /** When an identity arrives: at joining with probability `atOnce`, else some days later (if before the end). */
  private later(joined: number, atOnce: number): number {
    if (this.rng.chance(atOnce)) return joined;
    const at = joined + Math.floor(-Math.log(this.rng.float()) * LATER_IDENTITY_MEAN_DAYS * DAY_MS);
    return at < this.endMs ? at : joined + Math.floor(this.rng.float() * (this.endMs - joined));
  }
}
