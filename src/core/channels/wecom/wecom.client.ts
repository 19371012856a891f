// WeCom's server API (qyapi.weixin.qq.com/cgi-bin/…), the parts Yuchi uses: the access token,
// external contacts and their staff, customer groups, welcome messages, mass-send templates and
// their results, and contact-way codes. The token is cached per tenant and app and fetched again
// when it expires or WeCom says it is no longer valid (then the call is tried once more). Busy and
// rate-limit answers are tried again with exponential backoff, a bounded number of times.
import { createHash } from 'node:crypto';
import { RATE_LIMIT_ERRORS, TOKEN_ERRORS, WecomApiError } from './wecom.errors.ts';

export const WECOM_API_BASE = 'https://qyapi.weixin.qq.com';

export interface WecomApiSettings {
  corpId: string;
  secret: string;
  apiBaseUrl?: string | null;
}

export interface WecomClientOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Further tries after a busy or rate-limited answer (default 3: WeCom advises at most three). */
  maxRetries?: number;
  /** First backoff; doubles each try, at most 8 s. */
  baseDelayMs?: number;
  timeoutMs?: number;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

// One token per (tenant, corp, secret, server) for the process: WeCom limits gettoken calls and
// expects a token to be reused for its 7,200 s.
const tokens = new Map<string, CachedToken>();
const pending = new Map<string, Promise<CachedToken>>();
/** Renew this long before WeCom's stated expiry, so a token never dies in flight. */
const EXPIRY_MARGIN_MS = 5 * 60_000;

export function forgetWecomTokens(): void {
  tokens.clear();
  pending.clear();
}

type Json = Record<string, unknown>;

export interface ExternalContactDetail {
  external_contact: { external_userid: string; name?: string; type?: number; gender?: number; unionid?: string; avatar?: string };
  follow_user?: { userid: string; remark?: string; createtime?: number; state?: string; tags?: unknown[] }[];
  next_cursor?: string;
}

export interface GroupChatDetail {
  chat_id: string;
  name?: string;
  owner?: string;
  create_time?: number;
  member_list?: { userid: string; type: number; join_time?: number; join_scene?: number; unionid?: string }[];
}

export interface MsgTemplate {
  chatType: 'single' | 'group';
  sender?: string;
  externalUserIds?: string[];
  chatIds?: string[];
  text: string;
  attachments?: Json[];
}

export interface ContactWay {
  type: 1 | 2;
  scene: 1 | 2;
  user?: string[];
  state?: string;
  remark?: string;
  skip_verify?: boolean;
}

export class WecomClient {
  private readonly base: string;
  private readonly cacheKey: string;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly maxRetries: number;
  private readonly baseDelayMs: number;
  private readonly timeoutMs: number;

  constructor(tenantId: string, private readonly settings: WecomApiSettings, options: WecomClientOptions = {}) {
    this.base = (settings.apiBaseUrl ?? WECOM_API_BASE).replace(/\/+$/, '');
    const secretHash = createHash('sha256').update(settings.secret).digest('hex').slice(0, 16);
    this.cacheKey = `${tenantId}|${this.base}|${settings.corpId}|${secretHash}`;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.maxRetries = options.maxRetries ?? 3;
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** A valid access token, from the cache when it has one. */
  async accessToken(): Promise<string> {
    const held = tokens.get(this.cacheKey);
    if (held && held.expiresAt > this.now()) return held.token;
    let inFlight = pending.get(this.cacheKey);
    if (!inFlight) {
      inFlight = this.fetchToken().finally(() => pending.delete(this.cacheKey));
      pending.set(this.cacheKey, inFlight);
    }
    return (await inFlight).token;
  }

  private async fetchToken(): Promise<CachedToken> {
    const query = new URLSearchParams({ corpid: this.settings.corpId, corpsecret: this.settings.secret });
    const answer = await this.withBackoff('/cgi-bin/gettoken', () => this.request('GET', `/cgi-bin/gettoken?${query.toString()}`, undefined));
    const token = answer.access_token;
    const expiresIn = Number(answer.expires_in ?? 7200);
    if (typeof token !== 'string' || token === '') throw new WecomApiError(-2, 'gettoken answered without access_token', '/cgi-bin/gettoken', false);
    const cached = { token, expiresAt: this.now() + Math.max(expiresIn * 1000 - EXPIRY_MARGIN_MS, expiresIn * 500) };
    tokens.set(this.cacheKey, cached);
    return cached;
  }

  private invalidate(token: string): void {
    if (tokens.get(this.cacheKey)?.token === token) tokens.delete(this.cacheKey);
  }

  /** One HTTP exchange; WeCom answers 200 with errcode, so errcode 0 is success. */
  private async request(method: 'GET' | 'POST', pathAndQuery: string, body: Json | undefined): Promise<Json> {
    const path = pathAndQuery.split('?')[0] ?? pathAndQuery;
    let response: Response;
    try {
      response = await fetch(this.base + pathAndQuery, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new WecomApiError(-1, `network: ${err instanceof Error ? err.message : String(err)}`, path, true);
    }
    if (response.status >= 500) throw new WecomApiError(-1, `HTTP ${response.status}`, path, true);
    let answer: unknown;
    try {
      answer = await response.json();
    } catch {
      throw new WecomApiError(-2, `HTTP ${response.status} without a JSON body`, path, response.status === 429);
    }
    if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) throw new WecomApiError(-2, 'the answer is not a JSON object', path, false);
    const json = answer as Json;
    const errcode = Number(json.errcode ?? 0);
    if (errcode !== 0) {
      throw new WecomApiError(errcode, typeof json.errmsg === 'string' ? json.errmsg : '', path, RATE_LIMIT_ERRORS.has(errcode));
    }
    return json;
  }

  private async withBackoff(path: string, attempt: () => Promise<Json>): Promise<Json> {
    for (let tried = 0; ; tried += 1) {
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof WecomApiError) || !err.retryable || tried >= this.maxRetries) throw err;
        await this.sleep(Math.min(this.baseDelayMs * 2 ** tried, 8000));
      }
    }
  }

  /** A call with the access token; a token WeCom no longer accepts is replaced once. */
  async call(method: 'GET' | 'POST', path: string, query: Record<string, string> = {}, body?: Json): Promise<Json> {
    return this.withBackoff(path, async () => {
      let renewed = false;
      for (;;) {
        const token = await this.accessToken();
        const qs = new URLSearchParams({ access_token: token, ...query });
        try {
          return await this.request(method, `${path}?${qs.toString()}`, body);
        } catch (err) {
          if (err instanceof WecomApiError && TOKEN_ERRORS.has(err.errcode) && !renewed) {
            this.invalidate(token);
            renewed = true;
            continue;
          }
          throw err;
        }
      }
    });
  }

  async getExternalContact(externalUserId: string, cursor?: string): Promise<ExternalContactDetail> {
    const answer = await this.call('GET', '/cgi-bin/externalcontact/get', { external_userid: externalUserId, ...(cursor ? { cursor } : {}) });
    return answer as unknown as ExternalContactDetail;
  }

  /** The external user ids of one staff member's customers. */
  async listExternalContacts(staffUserId: string): Promise<string[]> {
    const answer = await this.call('GET', '/cgi-bin/externalcontact/list', { userid: staffUserId });
    return stringList(answer.external_userid);
  }

  /** Staff members with customer-contact permission. */
  async followUsers(): Promise<string[]> {
    return stringList((await this.call('GET', '/cgi-bin/externalcontact/get_follow_user_list')).follow_user);
  }

  async listGroupChats(options: { cursor?: string; limit?: number; ownerUserIds?: string[]; statusFilter?: 0 | 1 | 2 | 3 } = {}): Promise<{ chats: { chat_id: string; status: number }[]; nextCursor: string | null }> {
    const answer = await this.call('POST', '/cgi-bin/externalcontact/groupchat/list', {}, {
      status_filter: options.statusFilter ?? 0,
      limit: options.limit ?? 100,
      ...(options.cursor ? { cursor: options.cursor } : {}),
      ...(options.ownerUserIds ? { owner_filter: { userid_list: options.ownerUserIds } } : {}),
    });
    const list = Array.isArray(answer.group_chat_list) ? answer.group_chat_list : [];
    const chats = list.flatMap((c: unknown) => {
      const r = c as Json;
      return typeof r.chat_id === 'string' ? [{ chat_id: r.chat_id, status: Number(r.status ?? 0) }] : [];
    });
    return { chats, nextCursor: typeof answer.next_cursor === 'string' && answer.next_cursor !== '' ? answer.next_cursor : null };
  }

  async getGroupChat(chatId: string): Promise<GroupChatDetail> {
    const answer = await this.call('POST', '/cgi-bin/externalcontact/groupchat/get', {}, { chat_id: chatId, need_name: 1 });
    return answer.group_chat as GroupChatDetail;
  }

  async sendWelcomeMsg(welcomeCode: string, text: string, attachments?: Json[]): Promise<void> {
    await this.call('POST', '/cgi-bin/externalcontact/send_welcome_msg', {}, {
      welcome_code: welcomeCode, text: { content: text }, ...(attachments && attachments.length > 0 ? { attachments } : {}),
    });
  }

  /** Creates a mass send the sender confirms on their phone; WeCom's msgid identifies it for results. */
  async addMsgTemplate(t: MsgTemplate): Promise<{ msgid: string; failList: string[] }> {
    const answer = await this.call('POST', '/cgi-bin/externalcontact/add_msg_template', {}, {
      chat_type: t.chatType,
      ...(t.sender ? { sender: t.sender } : {}),
      ...(t.externalUserIds ? { external_userid: t.externalUserIds } : {}),
      ...(t.chatIds ? { chat_id_list: t.chatIds } : {}),
      text: { content: t.text },
      ...(t.attachments && t.attachments.length > 0 ? { attachments: t.attachments } : {}),
    });
    return { msgid: typeof answer.msgid === 'string' ? answer.msgid : '', failList: stringList(answer.fail_list) };
  }

  async getGroupMsgSendResult(msgid: string, userid: string, cursor?: string): Promise<{ sends: { external_userid?: string; chat_id?: string; userid: string; status: number; send_time?: number }[]; nextCursor: string | null }> {
    const answer = await this.call('POST', '/cgi-bin/externalcontact/get_groupmsg_send_result', {}, { msgid, userid, limit: 1000, ...(cursor ? { cursor } : {}) });
    const sends = (Array.isArray(answer.send_list) ? answer.send_list : []) as { external_userid?: string; chat_id?: string; userid: string; status: number; send_time?: number }[];
    return { sends, nextCursor: typeof answer.next_cursor === 'string' && answer.next_cursor !== '' ? answer.next_cursor : null };
  }

  /** 获取群发成员发送任务列表: per staff member of a mass send, whether they have sent it (status 0 not yet, 2 sent). */
  async getGroupMsgTask(msgid: string, cursor?: string): Promise<{ tasks: { userid: string; status: number; send_time?: number }[]; nextCursor: string | null }> {
    const answer = await this.call('POST', '/cgi-bin/externalcontact/get_groupmsg_task', {}, { msgid, limit: 1000, ...(cursor ? { cursor } : {}) });
    const tasks = Array.isArray(answer.task_list) ? (answer.task_list as { userid: string; status: number; send_time?: number }[]) : [];
    return { tasks, nextCursor: typeof answer.next_cursor === 'string' && answer.next_cursor !== '' ? answer.next_cursor : null };
  }

  async addContactWay(way: ContactWay): Promise<{ configId: string; qrCode: string | null }> {
    const answer = await this.call('POST', '/cgi-bin/externalcontact/add_contact_way', {}, { ...way });
    return { configId: String(answer.config_id ?? ''), qrCode: typeof answer.qr_code === 'string' ? answer.qr_code : null };
  }

  async updateContactWay(configId: string, changes: Omit<Partial<ContactWay>, 'type' | 'scene'>): Promise<void> {
    await this.call('POST', '/cgi-bin/externalcontact/update_contact_way', {}, { config_id: configId, ...changes });
  }
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
