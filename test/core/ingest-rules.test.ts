// Pure rules of ingestion: event checks, identity planning, relation folding, attribute trust,
// order checks. Expected values are written from the rules' statements, not computed by them.
import { describe, expect, it } from 'vitest';
import { checkEvent, checkEvents } from '../../src/core/ingest/events.rules.ts';
import { normalizePhone, parseRef, planResolution, type ParsedRef } from '../../src/core/ingest/identity.rules.ts';
import { foldRelation } from '../../src/core/ingest/relations.rules.ts';
import { applyAttributeUpdates, mergeAttributes, replaces } from '../../src/core/customers/attributes.rules.ts';
import { classifyResend, findNegativeAmount, parseInstant, parseOrder } from '../../src/core/orders/record.rules.ts';

const NOW = new Date('2026-06-01T00:00:00Z');
const base = { id: 'e-1', type: 'page_viewed', occurredAt: '2026-05-01T10:00:00+08:00', customer: { phone: '13800001111' }, properties: { url: '/a' } };

describe('checkEvent', () => {
  it.each([
    [{ ...base, id: undefined }, 'missing_id'],
    [{ ...base, id: '' }, 'missing_id'],
    [{ ...base, id: 'yuchi:x' }, 'invalid_id'],
    [{ ...base, type: undefined }, 'missing_type'],
    [{ ...base, type: 'Page Viewed' }, 'invalid_type'],
    [{ ...base, type: 'customer_merged' }, 'invalid_type'],
    [{ ...base, type: 'segment_entered' }, 'invalid_type'],
    [{ ...base, type: 'segment_exited' }, 'invalid_type'],
    [{ ...base, type: 'customer_transferred' }, 'invalid_type'],
    [{ ...base, type: 'tier_changed' }, 'invalid_type'],
    [{ ...base, customer: undefined }, 'missing_customer'],
    [{ ...base, customer: {} }, 'missing_customer'],
    [{ ...base, customer: { phone: '12345' } }, 'invalid_customer'],
    [{ ...base, customer: { customerId: 'not-a-uuid' } }, 'invalid_customer'],
    [{ ...base, occurredAt: 'yesterday' }, 'invalid_timestamp'],
    [{ ...base, occurredAt: '2026-05-01T10:00:00' }, 'invalid_timestamp'],
    [{ ...base, occurredAt: '2026-02-30T10:00:00Z' }, 'invalid_timestamp'],
    [{ ...base, occurredAt: '2027-01-01T00:00:00Z' }, 'invalid_timestamp'],
    [{ ...base, occurredAt: undefined }, 'invalid_timestamp'],
    [{ ...base, properties: [1, 2] }, 'invalid_properties'],
    [{ ...base, type: 'coupon_redeemed', properties: { discountFen: -100 } }, 'negative_amount'],
    [{ ...base, type: 'custom_thing', properties: { refundFen: -1 } }, 'negative_amount'],
    [{ ...base, type: 'order_paid', properties: { orderNo: 'A', paidFen: -5 } }, 'negative_amount'],
    [{ ...base, type: 'order_paid', properties: { orderNo: 'A', paidFen: 100, items: [{ sku: 's', name: 'n', quantity: 1, unitPriceFen: -1 }] } }, 'negative_amount'],
    [{ ...base, type: 'order_paid', properties: { paidFen: 100 } }, 'invalid_order'],
    [{ ...base, type: 'contact_added', properties: { state: 'x' } }, 'invalid_properties'],
    [{ ...base, type: 'group_joined', properties: {} }, 'invalid_properties'],
    [{ ...base, type: 'form_submitted', properties: { formId: 'x', answers: {} } }, 'invalid_properties'],
    [{ ...base, type: 'profile_updated', properties: { birthday: '1990-13-01' } }, 'invalid_properties'],
    ['not an object', 'invalid_event'],
  ])('rejects %j with %s', (raw, code) => {
    const result = checkEvent(raw, 7, NOW);
    expect(result).toMatchObject({ rejection: { index: 7, code } });
  });

  it('accepts a custom type and keeps properties as sent', () => {
    const result = checkEvent({ ...base, type: 'livestream.watched', properties: { minutes: 12 } }, 0, NOW);
    expect(result).toMatchObject({ type: 'livestream.watched', propertiesJson: '{"minutes":12}', effect: { kind: 'none' }, source: 'api' });
  });

  it('reads effects of the standard types', () => {
    expect(checkEvent({ ...base, type: 'contact_added', source: 'wecom', properties: { staffWecomUserId: 'li.na', state: 'qr-01', channel: 'store_qr', name: '陈美', gender: 2 } }, 0, NOW)).toMatchObject({
      source: 'wecom',
      effect: { kind: 'contact', action: 'added', staff: { staffWecomUserId: 'li.na' }, state: 'qr-01', channel: 'store_qr' },
      attributes: { name: '陈美', gender: 'female' },
    });
    expect(checkEvent({ ...base, type: 'group_left', properties: { chatId: 'wr1' } }, 0, NOW)).toMatchObject({ effect: { kind: 'group', action: 'left', chatId: 'wr1' } });
    const refund = checkEvent({ ...base, type: 'order_refunded', properties: { orderNo: 'A1', paidFen: 500 } }, 0, NOW);
    // without refundedFen an order_refunded event refunds the whole order
    expect(refund).toMatchObject({ effect: { kind: 'order', order: { orderNo: 'A1', paidFen: 500, refundedFen: 500, status: 'refunded', channel: 'other' } } });
    const paid = checkEvent({ ...base, type: 'order_paid', properties: { orderNo: 'A2', paidFen: 900, discountFen: 100 } }, 0, NOW);
    expect(paid).toMatchObject({ effect: { kind: 'order', order: { totalFen: 1000, orderedAt: new Date('2026-05-01T02:00:00Z') } } });
  });

  it('counts a repeated id within a batch as a duplicate, not a rejection', () => {
    const result = checkEvents([base, { ...base }, { ...base, id: 'e-2' }, { ...base, id: undefined }], NOW);
    expect(result.events.map((e) => e.index)).toEqual([0, 2]);
    expect(result.repeated).toBe(1);
    expect(result.rejected).toEqual([expect.objectContaining({ index: 3, code: 'missing_id' })]);
  });
});

describe('identities', () => {
  it.each([
    ['138 0000 1111', '13800001111'],
    ['+86 138-0000-1111', '13800001111'],
    ['008613800001111', '13800001111'],
    ['+14155550123', '+14155550123'],
    ['12345', undefined],
    ['+8601012345678', undefined],
  ])('normalises phone %s to %s', (raw, expected) => {
    expect(normalizePhone(raw)).toBe(expected);
  });

  it('parses a ref, normalising identities', () => {
    expect(parseRef({ phone: '+86 13800001111', externalUserId: ' wmA ' })).toEqual({
      identities: [{ kind: 'external_userid', value: 'wmA' }, { kind: 'phone', value: '13800001111' }],
    });
  });

  it('reads only a ref\'s own fields: an inherited identity names nobody', () => {
    const inherited = Object.create({ phone: '13800001111' }) as Record<string, unknown>;
    expect(parseRef(inherited)).toMatchObject({ error: { code: 'missing_customer' } });
    inherited.memberNo = 'M1';
    expect(parseRef(inherited)).toEqual({ identities: [{ kind: 'member_no', value: 'M1' }] });
    expect(parseRef({ customerId: null, phone: null, memberNo: ' M2 ' })).toEqual({ identities: [{ kind: 'member_no', value: 'M2' }] });
    expect(parseRef({ phone: 'x' }, 'events[3].customer')).toEqual({ error: { code: 'invalid_customer', message: 'events[3].customer.phone: is not a mainland mobile number or an E.164 number' } });
  });

  const ref = (...ids: [string, string][]): ParsedRef => ({ identities: ids.map(([kind, value]) => ({ kind: kind as 'phone', value })) });

  it('plans one new person for refs sharing an unknown identity, and links new identities to a known one', () => {
    const plan = planResolution({
      refs: [ref(['phone', '1']), ref(['phone', '1'], ['unionid', 'u']), ref(['phone', '2'])],
      known: new Map([['phone:2', 'c2']]),
      createdAt: new Map([['c2', 1]]),
      create: true,
    });
    expect(plan.people).toHaveLength(2);
    const first = plan.refs[0];
    const second = plan.refs[1];
    expect(first).toEqual(second);
    const person = 'person' in (first ?? {}) && first && 'person' in first ? plan.people[first.person] : undefined;
    expect(person).toMatchObject({ survivor: null, merged: [], newIdentities: [{ kind: 'phone', value: '1' }, { kind: 'unionid', value: 'u' }] });
    const third = plan.refs[2];
    expect(third && 'person' in third ? plan.people[third.person] : undefined).toMatchObject({ survivor: 'c2', merged: [], newIdentities: [] });
  });

  it('merges profiles linked through a chain of refs into the one created first', () => {
    const plan = planResolution({
      refs: [ref(['phone', 'a'], ['external_userid', 'b']), ref(['external_userid', 'b'], ['unionid', 'c']), { customerId: 'cD', identities: [{ kind: 'unionid', value: 'c' }] }],
      known: new Map([['phone:a', 'cA'], ['external_userid:b', 'cB'], ['unionid:c', 'cC']]),
      createdAt: new Map([['cA', 300], ['cB', 100], ['cC', 200], ['cD', 400]]),
      create: true,
    });
    expect(plan.people).toEqual([expect.objectContaining({ survivor: 'cB', merged: ['cC', 'cA', 'cD'], newIdentities: [] })]);
  });

  it('does not create when creating is not allowed', () => {
    const plan = planResolution({ refs: [ref(['phone', '9'])], known: new Map(), createdAt: new Map(), create: false });
    expect(plan.refs[0]).toMatchObject({ error: { code: 'unknown_customer' } });
  });
});

describe('foldRelation', () => {
  const t = (day: number): Date => new Date(Date.UTC(2026, 0, day));
  it.each([
    ['a first add', undefined, [['start', 5]], [5, null]],
    ['a delete after an add', { startedAt: t(1), endedAt: null }, [['end', 9]], [1, 9]],
    ['a re-add after a delete', { startedAt: t(1), endedAt: t(9) }, [['start', 12]], [12, null]],
    ['a late add from before the delete', { startedAt: t(1), endedAt: t(9) }, [['start', 3]], [3, 9]],
    ['a repeated add while active', { startedAt: t(1), endedAt: null }, [['start', 7]], [1, null]],
    ['a delete with no add seen', undefined, [['end', 4]], [4, 4]],
    ['delete then add in one batch', { startedAt: t(1), endedAt: null }, [['end', 5], ['start', 6]], [6, null]],
    ['add then delete in one batch', undefined, [['start', 5], ['end', 6]], [5, 6]],
  ])('%s', (_name, stored, facts, [start, end]) => {
    const row = foldRelation(
      stored ? { ...stored, detail: null } : undefined,
      (facts as [string, number][]).map(([kind, day]) => ({ kind: kind === 'start' ? 'start' : 'end', at: t(day), detail: null })),
    );
    expect(row.startedAt).toEqual(t(start as number));
    expect(row.endedAt).toEqual(end === null ? null : t(end as number));
  });
});

describe('attributes: the most recent value from the most trusted source wins', () => {
  const at = (iso: string) => ({ source: 'api', at: iso });
  it('ranks sources, then time', () => {
    expect(replaces({ source: 'manual', at: '2020-01-01T00:00:00Z' }, { source: 'pos', at: '2026-01-01T00:00:00Z' })).toBe(true);
    expect(replaces({ source: 'wecom', at: '2026-02-01T00:00:00Z' }, { source: 'import', at: '2020-01-01T00:00:00Z' })).toBe(false);
    expect(replaces(at('2026-02-01T00:00:00Z'), at('2026-01-01T00:00:00Z'))).toBe(true);
    expect(replaces(at('2026-01-01T00:00:00Z'), at('2026-02-01T00:00:00Z'))).toBe(false);
    expect(replaces(at('2026-01-01T00:00:00Z'), undefined)).toBe(true);
  });

  it('folds updates in any order', () => {
    const current = { name: '', gender: 'unknown' as const, birthday: null, city: '' };
    const result = applyAttributeUpdates(current, {}, [
      { values: { name: 'Pos Name', city: '深圳' }, source: 'pos', at: new Date('2026-01-01T00:00:00Z') },
      { values: { name: 'Api Name', gender: 'female' }, source: 'api', at: new Date('2026-03-01T00:00:00Z') },
    ]);
    expect(result.changed).toEqual({ name: 'Pos Name', city: '深圳', gender: 'female' });
    expect(result.sources.name).toEqual({ source: 'pos', at: '2026-01-01T00:00:00.000Z' });
  });

  it('merges two profiles attribute by attribute', () => {
    const merged = mergeAttributes(
      { values: { name: '陈美', gender: 'unknown', birthday: null, city: '深圳' }, sources: { name: { source: 'api', at: '2026-01-01T00:00:00Z' } } },
      { values: { name: '陈小美', gender: 'female', birthday: '1990-05-20', city: '广州' }, sources: { name: { source: 'wecom', at: '2025-01-01T00:00:00Z' } } },
    );
    // name: wecom outranks api; gender and birthday: the survivor had none; city: survivor's value has no source and the other side none either, so it stays
    expect(merged.values).toEqual({ name: '陈小美', gender: 'female', birthday: '1990-05-20', city: '深圳' });
  });
});

describe('orders', () => {
  const order = { orderNo: 'A1', customer: { phone: '13800001111' }, channel: 'pos', paidFen: 1000, orderedAt: '2026-05-01T10:00:00Z', items: [{ sku: 'X', name: 'x', quantity: 2, unitPriceFen: 500 }] };
  it('fills defaults and checks refunds', () => {
    expect(parseOrder(order, 0, NOW)).toMatchObject({ totalFen: 1000, discountFen: 0, refundedFen: 0, status: 'paid', items: [{ amountFen: 1000 }] });
    expect(parseOrder({ ...order, refundedFen: 400 }, 0, NOW)).toMatchObject({ status: 'partially_refunded' });
    expect(parseOrder({ ...order, status: 'refunded' }, 0, NOW)).toMatchObject({ status: 'refunded', refundedFen: 1000 });
    expect(parseOrder({ ...order, refundedFen: 1001 }, 3, NOW)).toMatchObject({ rejection: { index: 3, code: 'invalid_order' } });
    expect(parseOrder({ ...order, status: 'paid', refundedFen: 10 }, 0, NOW)).toMatchObject({ rejection: { code: 'invalid_order' } });
    expect(parseOrder({ ...order, channel: 'tv' }, 0, NOW)).toMatchObject({ rejection: { code: 'invalid_order', message: expect.stringContaining('orders[0].channel') } });
  });

  it('classifies a re-sent order', () => {
    const stored = { id: 'o1', customerId: 'c1', paidFen: 1000, refundedFen: 0, orderedAt: new Date('2026-05-01T10:00:00Z') };
    const draft = { orderNo: 'A1', paidFen: 1000, refundedFen: 0, orderedAt: new Date('2026-05-01T10:00:00Z') };
    expect(classifyResend(draft, stored)).toEqual({ action: 'duplicate', orderId: 'o1' });
    expect(classifyResend({ ...draft, refundedFen: 300 }, stored)).toEqual({ action: 'refund', orderId: 'o1', customerId: 'c1', refundedBefore: 0 });
    expect(classifyResend(draft, { ...stored, refundedFen: 300 })).toEqual({ action: 'duplicate', orderId: 'o1' });
    expect(classifyResend({ ...draft, paidFen: 999 }, stored)).toMatchObject({ action: 'conflict' });
  });
});

// parseInstant and findNegativeAmount run for every event of every batch; their quick forms must
// answer exactly as the plain ones they replaced (kept here as the reference).
describe('per-event checks against their plain reference', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  function referenceInstant(value: unknown): Date | string {
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i.test(value)) return 'must be an ISO-8601 time with a zone, e.g. 2026-03-01T10:00:00+08:00';
    const ms = Date.parse(value);
    const day = value.slice(0, 10);
    const dayMs = Date.parse(`${day}T00:00:00Z`);
    if (Number.isNaN(ms) || Number.isNaN(dayMs) || new Date(dayMs).toISOString().slice(0, 10) !== day) return 'is not a valid time';
    if (ms < Date.parse('2000-01-01T00:00:00Z')) return 'is before 2000';
    if (ms > now.getTime() + 86_400_000) return 'is in the future';
    return new Date(ms);
  }
  function referenceNegative(value: unknown, path: string, depth = 0): string | undefined {
    if (depth > 4 || typeof value !== 'object' || value === null) return undefined;
    for (const [key, v] of Object.entries(value)) {
      const here = Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`;
      if (typeof v === 'number' && key.endsWith('Fen') && v < 0) return here;
      const deeper = referenceNegative(v, here, depth + 1);
      if (deeper) return deeper;
    }
    return undefined;
  }

  it('parseInstant: every month end, leap years, bad fields and zones', () => {
    const values: unknown[] = [undefined, 3, '', '2026-03-01', '2026-03-01T10:00', '1999-12-31T23:59:59Z', '2026-06-02T00:00:00Z', '2026-06-03T00:00:00Z'];
    for (const year of ['1900', '2000', '2023', '2024', '2100']) {
      for (let month = 0; month <= 13; month++) {
        for (const day of [0, 1, 28, 29, 30, 31, 32]) {
          const d = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          values.push(`${d}T10:00:00Z`, `${d}T23:59:59.123456+08:00`, `${d}T24:00Z`, `${d}T10:61:00-0530`);
        }
      }
    }
    for (const v of values) expect(parseInstant(v, now), String(v)).toEqual(referenceInstant(v));
  });

  it('findNegativeAmount: nesting, arrays, depth limit, first find wins', () => {
    const values: unknown[] = [
      null, 5, 'x', [], {}, { paidFen: 0 }, { paidFen: -1 }, { paid: -1 }, { items: [{ amountFen: 3 }, { amountFen: -2 }] },
      { a: { b: { c: { d: { eFen: -1 } } } } }, { a: { b: { c: { d: { e: { fFen: -1 } } } } } }, [[[{ xFen: -5 }]]],
      { aFen: 1, b: [{ cFen: -1 }], dFen: -2 }, { aFen: '-1', b: { cFen: -0.5 } }, Object.assign(Object.create({ inheritedFen: -1 }), { ownFen: 2 }),
    ];
    for (const v of values) expect(findNegativeAmount(v, 'p'), JSON.stringify(v)).toBe(referenceNegative(v, 'p'));
  });
});
