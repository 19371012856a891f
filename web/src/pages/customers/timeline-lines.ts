// One readable line per timeline event, in the reader's language: 加为好友 李娜（渠道码 store_qr）,
// 入群 鲜果福田1群, 下单 ¥45.90, 打标签 VIP（规则）, 合并档案 ... Events carry ids and codes; the
// names come from lookups the page already holds (staff, stores). Unknown types show as they are.
import type { TimelineEntry } from '../../api.ts';
import { formatMoney } from '../../format.ts';
import type { Translate } from '../../i18n/i18n.tsx';
import { channelLabel, consentChannelLabel, tagSourceLabel } from '../../labels.ts';

export type EventTone = 'contact' | 'group' | 'order' | 'refund' | 'tag' | 'message' | 'form' | 'privacy' | 'merge' | 'visit' | 'other';

export interface EventLine {
  tone: EventTone;
  text: string;
  /** A second, quieter line (order number, channel, source ...), or empty. */
  detail: string;
}

export interface Lookups {
  /** A staff member's name by id or WeCom user id. */
  staffName: (ref: string) => string | undefined;
  storeName: (id: string) => string | undefined;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
const amount = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const joined = (parts: (string | undefined)[]): string => parts.filter((p): p is string => Boolean(p)).join(' · ');

export function describeEvent(entry: TimelineEntry, t: Translate, lookups: Lookups): EventLine {
  const p = entry.properties;
  const staffRef = text(p.staffId) ?? text(p.staffWecomUserId);
  const staff = staffRef ? (lookups.staffName(staffRef) ?? staffRef) : undefined;
  const storeId = text(p.storeId);
  const store = storeId ? lookups.storeName(storeId) : text(p.storeCode);
  switch (entry.type) {
    case 'contact_added': {
      const state = text(p.state);
      const who = staff ?? t('event.someStaff');
      return { tone: 'contact', text: state ? t('event.contactAddedState', { staff: who, state }) : t('event.contactAdded', { staff: who }), detail: text(p.channel) ?? '' };
    }
    case 'contact_deleted':
      return { tone: 'contact', text: t('event.contactDeleted', { staff: staff ?? t('event.someStaff') }), detail: '' };
    case 'group_joined':
    case 'group_left': {
      const group = text(p.groupName) ?? text(p.chatId) ?? '';
      return { tone: 'group', text: t(entry.type === 'group_joined' ? 'event.groupJoined' : 'event.groupLeft', { group }), detail: '' };
    }
    case 'order_paid': {
      const paid = amount(p.paidFen);
      const channel = text(p.channel);
      return {
        tone: 'order',
        text: t('event.orderPaid', { amount: paid === undefined ? '' : formatMoney(paid) }).trim(),
        detail: joined([text(p.orderNo), channel ? channelLabel(t, channel) : undefined, store]),
      };
    }
    case 'order_refunded': {
      const refund = amount(p.refundFen) ?? amount(p.refundedFen);
      return { tone: 'refund', text: t('event.orderRefunded', { amount: refund === undefined ? '' : formatMoney(refund) }).trim(), detail: text(p.orderNo) ?? '' };
    }
    case 'tag_added':
    case 'tag_removed': {
      const source = text(p.source);
      const tag = text(p.tagName) ?? '';
      const how = source ? t('event.how', { how: tagSourceLabel(t, source) }) : '';
      return { tone: 'tag', text: `${t(entry.type === 'tag_added' ? 'event.tagAdded' : 'event.tagRemoved', { tag })}${how}`, detail: '' };
    }
    case 'customer_merged':
      return { tone: 'merge', text: t('event.merged'), detail: text(p.mergedId) ? t('event.mergedId', { id: text(p.mergedId) ?? '' }) : '' };
    case 'consent_changed': {
      const channel = consentChannelLabel(t, text(p.channel) ?? '');
      return { tone: 'privacy', text: t(p.granted === true ? 'event.consentGranted' : 'event.consentWithdrawn', { channel }), detail: text(p.source) ? t('event.source', { source: text(p.source) ?? '' }) : '' };
    }
    case 'customer_erased':
      return { tone: 'privacy', text: t('event.erased'), detail: '' };
    case 'form_submitted':
      return { tone: 'form', text: t('event.formSubmitted', { form: text(p.formName) ?? '' }).trim(), detail: '' };
    case 'message_received':
      return { tone: 'message', text: t('event.messageReceived'), detail: joined([staff, text(p.msgType)]) };
    case 'message_sent':
      return { tone: 'message', text: staff ? t('event.messageSentBy', { staff }) : t('event.messageSent'), detail: text(p.msgType) ?? '' };
    case 'coupon_received':
    case 'coupon_redeemed':
      return { tone: 'order', text: t(entry.type === 'coupon_received' ? 'event.couponReceived' : 'event.couponRedeemed'), detail: joined([text(p.templateName), text(p.code) ?? text(p.couponId)]) };
    case 'coupon_reversed':
      return { tone: 'refund', text: t('event.couponReversed'), detail: joined([text(p.templateName), text(p.orderNo)]) };
    case 'segment_entered':
    case 'segment_exited':
      return { tone: 'tag', text: t(entry.type === 'segment_entered' ? 'event.segmentEntered' : 'event.segmentExited', { segment: text(p.segmentName) ?? '' }).trim(), detail: '' };
    case 'customer_transferred': {
      // the names as they were at the transfer, else as the page knows the staff now
      const named = (name: unknown, id: unknown): string => {
        const ref = text(id);
        return text(name) ?? (ref ? lookups.staffName(ref) : undefined) ?? '—';
      };
      const [from, to] = [named(p.fromStaffName, p.fromStaffId), named(p.toStaffName, p.toStaffId)];
      return { tone: 'contact', text: t(p.kind === 'resignation' ? 'event.inherited' : 'event.transferred', { from, to }), detail: text(p.reason) ?? '' };
    }
    case 'referral_attributed':
      return { tone: 'contact', text: t('event.referred'), detail: text(p.code) ? t('event.referralCode', { code: text(p.code) ?? '' }) : '' };
    case 'group_buy_joined': {
      const paid = amount(p.paidFen);
      return { tone: 'order', text: t('event.groupBuyJoined', { sku: text(p.sku) ?? '' }).trim(), detail: paid === undefined ? '' : formatMoney(paid) };
    }
    case 'group_buy_refunded':
      return { tone: 'refund', text: t('event.groupBuyRefunded'), detail: text(p.sku) ?? '' };
    case 'journey_entered':
      return { tone: 'other', text: t('event.journeyEntered', { journey: text(p.journeyName) ?? '' }).trim(), detail: p.heldOut === true ? t('event.journeyHeldOut') : '' };
    case 'journey_finished': {
      const status = text(p.status) ?? '';
      const how = status === 'completed' ? t('event.journeyCompleted') : status === 'exited' ? t('event.journeyExited') : status === 'failed' ? t('event.journeyFailed') : status;
      return { tone: 'other', text: t('event.journeyFinished', { journey: text(p.journeyName) ?? '' }).trim(), detail: joined([how, p.converted === true ? t('event.journeyConverted') : undefined]) };
    }
    case 'tier_changed':
      return { tone: 'other', text: t('member.event.tierChanged', { from: text(p.fromTier) ?? '—', to: text(p.toTier) ?? '' }), detail: '' };
    case 'page_viewed':
      return { tone: 'visit', text: t('event.pageViewed'), detail: text(p.title) ?? text(p.url) ?? '' };
    case 'store_visited':
      return { tone: 'visit', text: t('event.storeVisited', { store: store ?? '' }).trim(), detail: '' };
    case 'profile_updated':
      return { tone: 'other', text: t('event.profileUpdated'), detail: joined([text(p.name), text(p.city)]) };
    default:
      return { tone: 'other', text: entry.type, detail: '' };
  }
}
