// What a WeCom callback says, as Yuchi events. Pure: the envelope (XML or JSON), the decrypted
// message (XML or JSON), and the mapping of WeCom's customer-contact events to Yuchi's standard
// events. Event ids are derived from the decrypted content, so a replayed callback produces the
// same ids and the ingestion stores it once.
import { createHash } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';

// parseTagValue false: ids such as MsgId (a 64-bit number) must stay text, not lose digits as a float.
const xml = new XMLParser({ ignoreDeclaration: true, parseTagValue: false, parseAttributeValue: false, trimValues: true });

export type CallbackFields = Record<string, unknown>;

export interface Envelope {
  encrypt: string;
  format: 'xml' | 'json';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a body as WeCom's JSON or XML; null when it is neither. */
export function parseFields(body: string): { fields: CallbackFields; format: 'xml' | 'json' } | null {
  const text = body.trim();
  if (text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      return isRecord(parsed) ? { fields: parsed, format: 'json' } : null;
    } catch {
      return null;
    }
  }
  if (!text.startsWith('<')) return null;
  try {
    const parsed: unknown = xml.parse(text, true);
    if (!isRecord(parsed) || !isRecord(parsed.xml)) return null;
    return { fields: parsed.xml, format: 'xml' };
  } catch {
    return null;
  }
}

export function parseEnvelope(body: string): Envelope | { error: string } {
  const parsed = parseFields(body);
  if (!parsed) return { error: 'the body is neither WeCom XML (<xml>…</xml>) nor JSON' };
  const encrypt = parsed.fields.Encrypt;
  if (typeof encrypt !== 'string' || encrypt === '') return { error: 'the body has no Encrypt field' };
  return { encrypt, format: parsed.format };
}

export const field = (f: CallbackFields, name: string): string | null => {
  const v = f[name];
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim();
  if (typeof v === 'number') return String(v);
  return null;
};

/** The customer-facing ids WeCom gives external contacts start wm or wo; staff user ids are the corp's own. */
export const isExternalUserId = (id: string): boolean => /^w[mo][A-Za-z0-9_-]{6,}$/.test(id);

export interface YuchiEventDraft {
  id: string;
  type: 'contact_added' | 'contact_deleted' | 'group_joined' | 'group_left' | 'message_received';
  occurredAt: string;
  customer: { externalUserId: string };
  source: 'wecom';
  properties: Record<string, unknown>;
}

export interface GroupChange {
  chatId: string;
  changeType: 'create' | 'update' | 'dismiss';
  /** add_member, del_member, change_owner, change_name ... (update only) */
  updateDetail: string | null;
  /** Members the callback names itself (MemChangeList), when it does. */
  changedMembers: string[];
  occurredAt: string;
  baseId: string;
}

export type CallbackPlan =
  | { kind: 'events'; events: YuchiEventDraft[]; baseId: string }
  | { kind: 'group_change'; change: GroupChange }
  | { kind: 'ignored'; reason: string; baseId: string };

/** The callback's identity: the same content gives the same id however often it arrives. */
export function callbackId(plaintext: string): string {
  return createHash('sha1').update(plaintext).digest('hex').slice(0, 32);
}

function occurredAt(f: CallbackFields, receivedAt: Date): string {
  const seconds = Number(field(f, 'CreateTime'));
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000).toISOString() : receivedAt.toISOString();
}

function listOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(listOf);
  if (isRecord(value)) return listOf(value.Item ?? value.item);
  return [];
}

export function planCallback(plaintext: string, receivedAt: Date): CallbackPlan {
  const baseId = callbackId(plaintext);
  const parsed = parseFields(plaintext);
  if (!parsed) return { kind: 'ignored', reason: 'the decrypted message is neither XML nor JSON', baseId };
  const f = parsed.fields;
  const at = occurredAt(f, receivedAt);
  const msgType = field(f, 'MsgType');
  const event = field(f, 'Event');
  const changeType = field(f, 'ChangeType');
  const id = `wecom:${baseId}`;

  if (msgType === 'event' && event === 'change_external_contact') {
    const external = field(f, 'ExternalUserID');
    const staff = field(f, 'UserID');
    if (!external || !staff) return { kind: 'ignored', reason: `${changeType ?? 'change'} without ExternalUserID or UserID`, baseId };
    if (changeType === 'add_external_contact') {
      const state = field(f, 'State');
      const welcomeCode = field(f, 'WelcomeCode');
      return {
        kind: 'events', baseId,
        events: [{
          id, type: 'contact_added', occurredAt: at, customer: { externalUserId: external }, source: 'wecom',
          properties: { staffWecomUserId: staff, ...(state ? { state } : {}), ...(welcomeCode ? { welcomeCode } : {}) },
        }],
      };
    }
    if (changeType === 'del_external_contact' || changeType === 'del_follow_user') {
      // del_external_contact: the staff member removed the customer; del_follow_user: the customer removed the staff member.
      const deletedBy = changeType === 'del_external_contact' ? 'staff' : 'customer';
      return {
        kind: 'events', baseId,
        events: [{ id, type: 'contact_deleted', occurredAt: at, customer: { externalUserId: external }, source: 'wecom', properties: { staffWecomUserId: staff, deletedBy } }],
      };
    }
    return { kind: 'ignored', reason: `change_external_contact ${changeType ?? ''} is not recorded`, baseId };
  }

  if (msgType === 'event' && event === 'change_external_chat') {
    const chatId = field(f, 'ChatId');
    if (!chatId) return { kind: 'ignored', reason: 'change_external_chat without ChatId', baseId };
    if (changeType !== 'create' && changeType !== 'update' && changeType !== 'dismiss') {
      return { kind: 'ignored', reason: `change_external_chat ${changeType ?? ''} is not recorded`, baseId };
    }
    return {
      kind: 'group_change',
      change: { chatId, changeType, updateDetail: field(f, 'UpdateDetail'), changedMembers: listOf(f.MemChangeList).filter(isExternalUserId), occurredAt: at, baseId },
    };
  }

  if (msgType && msgType !== 'event') {
    const from = field(f, 'FromUserName');
    if (!from || !isExternalUserId(from)) return { kind: 'ignored', reason: 'a message from a staff member, not a customer', baseId };
    const content = field(f, 'Content');
    const msgId = field(f, 'MsgId');
    return {
      kind: 'events', baseId,
      events: [{
        id, type: 'message_received', occurredAt: at, customer: { externalUserId: from }, source: 'wecom',
        properties: { msgType, ...(content ? { text: content.slice(0, 2000) } : {}), ...(msgId ? { wecomMsgId: msgId } : {}) },
      }],
    };
  }
  return { kind: 'ignored', reason: `${event ?? msgType ?? 'unknown'} is not recorded`, baseId };
}

export interface GroupMember {
  userid: string;
  /** 1 staff, 2 external contact */
  type: number;
  joinTime: number | null;
}

export interface GroupDetail {
  chatId: string;
  name: string;
  owner: string | null;
  members: GroupMember[];
}

/**
 * Who joined and who left, from the group's member list as WeCom now has it and the external
 * members Yuchi holds as current. A dismissed group: every current member left.
 */
export function groupEvents(change: GroupChange, detail: GroupDetail | null, currentMembers: string[]): YuchiEventDraft[] {
  const props = (extra: Record<string, unknown>) => ({
    chatId: change.chatId,
    ...(detail?.name ? { groupName: detail.name } : {}),
    ...(detail?.owner ? { ownerWecomUserId: detail.owner } : {}),
    ...extra,
  });
  const draft = (type: 'group_joined' | 'group_left', externalUserId: string, at: string, extra: Record<string, unknown> = {}): YuchiEventDraft => ({
    id: `wecom:${change.baseId}:${externalUserId}`.slice(0, 200), type, occurredAt: at, customer: { externalUserId }, source: 'wecom', properties: props(extra),
  });
  const current = new Set(currentMembers);
  if (change.changeType === 'dismiss') return [...current].sort().map((u) => draft('group_left', u, change.occurredAt, { reason: 'dismissed' }));
  if (detail === null) {
    // Without the member list only what the callback names can be told apart.
    if (change.updateDetail === 'add_member') return [...new Set(change.changedMembers)].sort().map((u) => draft('group_joined', u, change.occurredAt));
    if (change.updateDetail === 'del_member') return [...new Set(change.changedMembers)].sort().map((u) => draft('group_left', u, change.occurredAt));
    return [];
  }
  const now = new Set((detail?.members ?? []).filter((m) => m.type === 2 || isExternalUserId(m.userid)).map((m) => m.userid));
  const joinedAt = new Map((detail?.members ?? []).map((m) => [m.userid, m.joinTime]));
  const out: YuchiEventDraft[] = [];
  const joinIso = (u: string) => {
    const t = joinedAt.get(u);
    return t ? new Date(t * 1000).toISOString() : change.occurredAt;
  };
  if (change.updateDetail === 'del_member') {
    const gone = change.changedMembers.length > 0 ? change.changedMembers : [...current].filter((u) => !now.has(u));
    for (const u of [...new Set(gone)].sort()) out.push(draft('group_left', u, change.occurredAt));
    return out;
  }
  const joined = change.updateDetail === 'add_member' && change.changedMembers.length > 0
    ? change.changedMembers
    : [...now].filter((u) => !current.has(u));
  for (const u of [...new Set(joined)].sort()) out.push(draft('group_joined', u, joinIso(u)));
  if (change.changeType === 'update' && change.updateDetail !== 'add_member') {
    for (const u of [...current].filter((x) => !now.has(x)).sort()) out.push(draft('group_left', u, change.occurredAt));
  }
  return out;
}
