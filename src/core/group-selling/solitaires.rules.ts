// 接龙 rules without IO: the text people paste in WeChat, who may join or change, and the pickup CSV.
//
// The text is what a guide copies into the group, so its shape follows what groups already use:
// a `#接龙` header naming the item, price, pickup store and deadline, then one numbered line per
// person (`1. 昵称 数量`) in the order they joined, renumbered without gaps when someone drops out.
import { yuan } from '../money.ts';

export interface SolitaireTextInput {
  title: string;
  itemName: string;
  priceFen: number;
  storeName: string;
  deadline: Date;
  timeZone: string;
  stock: number;
  taken: number;
  status: 'open' | 'closed' | 'cancelled';
  entries: { nickname: string; quantity: number }[];
}

/** "12月1日 20:00" in the tenant's zone. */
export function localDeadline(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('month')}月${get('day')}日 ${get('hour')}:${get('minute')}`;
}

/** One line per person: no line breaks (they would break the numbering), no runs of spaces, never empty. */
export function cleanNickname(raw: string): string {
  const one = raw.replace(/[\r\n\t]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
  return one === '' ? '匿名' : one.slice(0, 30);
}

export function renderSolitaire(s: SolitaireTextInput): string {
  const left = s.stock - s.taken;
  const state = s.status === 'open' ? (left > 0 ? `剩余：${left}/${s.stock} 份` : '已接满') : s.status === 'closed' ? '已截止' : '已取消';
  const header = [
    `#接龙 ${s.title}`,
    `商品：${s.itemName}`,
    `价格：${yuan(s.priceFen)}/份`,
    `自提：${s.storeName}`,
    `截止：${localDeadline(s.deadline, s.timeZone)}`,
    state,
  ];
  const lines = s.entries.map((e, i) => `${i + 1}. ${cleanNickname(e.nickname)} ${e.quantity}`);
  return lines.length === 0 ? header.join('\n') : `${header.join('\n')}\n\n${lines.join('\n')}`;
}

export type JoinRefusal = {
  reason: 'closed' | 'deadline_passed' | 'limit_reached' | 'sold_out';
  message: string;
  /** The values the console's sentence needs (the status, the deadline, the limit, what is left). */
  params: Record<string, string | number>;
};

/**
 * Whether a customer may hold `wanted` units where they now hold `held` (0 for a new entry).
 * Lowering a quantity is always allowed while the 接龙 is open: it gives stock back.
 */
export function quantityRefusal(
  s: { status: string; deadlineAt: Date; stock: number; taken: number; perCustomerLimit: number },
  held: number,
  wanted: number,
  now: Date,
): JoinRefusal | null {
  if (s.status !== 'open') return { reason: 'closed', message: `the 接龙 is ${s.status}`, params: { status: s.status } };
  if (now >= s.deadlineAt) return { reason: 'deadline_passed', message: `the deadline ${s.deadlineAt.toISOString()} has passed`, params: { deadline: s.deadlineAt.toISOString() } };
  if (wanted > s.perCustomerLimit) return { reason: 'limit_reached', message: `at most ${s.perCustomerLimit} per customer`, params: { limit: s.perCustomerLimit } };
  const left = s.stock - s.taken + held;
  if (wanted > held && wanted > left) return { reason: 'sold_out', message: left === 0 ? 'sold out' : `only ${left} left`, params: { left } };
  return null;
}

function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV with a BOM (so Excel reads the Chinese), one row per line. */
export function toCsv(header: string[], rows: (string | number)[][]): string {
  return `\uFEFF${[header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

export const fenToYuan = (fen: number): string => (fen / 100).toFixed(2);
