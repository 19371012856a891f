// A local WeCom API server for tests: node:http speaking the paths and JSON of qyapi.weixin.qq.com
// that Yuchi uses. It issues access tokens that expire, can be told to answer the next calls of a
// path with an error code (a rate limit, a busy system, an expired token), and records every call.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

export interface FakeCall {
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown> | null;
}

export interface FakeGroupChat {
  chat_id: string;
  name: string;
  owner: string;
  member_list: { userid: string; type: number; join_time: number }[];
}

export class FakeWecom {
  readonly corpId: string;
  readonly secret: string;
  readonly calls: FakeCall[] = [];
  /** Seconds a new token is said to live. */
  tokenTtl = 7200;
  /** staff userid → external user ids */
  contacts = new Map<string, string[]>();
  groups = new Map<string, FakeGroupChat>();
  /** external user id → the contact-way state it was added through */
  contactStates = new Map<string, string>();
  private readonly live = new Set<string>();
  private readonly injected = new Map<string, { errcode: number; errmsg: string }[]>();
  private msgSeq = 0;
  /** msgid → the external user ids a mass send went to */
  private readonly templates = new Map<string, string[]>();
  /** msgid → the sender of a mass send */
  private readonly senders = new Map<string, string>();
  /** msgid → what the staff member did, once a test says so (staffSent); without it the default results below */
  private readonly outcomes = new Map<string, { sendTime: number; statuses: Map<string, number> }>();
  private server: Server | undefined;
  url = '';

  constructor(corpId = 'ww-fake-corp', secret = 'fake-secret') {
    this.corpId = corpId;
    this.secret = secret;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req).then((answer) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The next `times` calls of `path` answer this error. */
  failNext(path: string, errcode: number, times = 1, errmsg = 'injected'): void {
    const list = this.injected.get(path) ?? [];
    for (let i = 0; i < times; i++) list.push({ errcode, errmsg });
    this.injected.set(path, list);
  }

  /** Forgets the recorded calls and any injected errors not yet answered. */
  reset(): void {
    this.calls.length = 0;
    this.injected.clear();
  }

  /** Every token issued so far stops working (WeCom answers 42001). */
  expireTokens(): void {
    this.live.clear();
  }

  /** The mass sends created so far, in order: msgid, sender and recipients. */
  massSends(): { msgid: string; sender: string; externalUserIds: string[] }[] {
    return [...this.templates.entries()].map(([msgid, ids]) => ({ msgid, sender: this.senders.get(msgid) ?? '', externalUserIds: ids }));
  }

  /**
   * The staff member confirmed the mass send on their phone: get_groupmsg_task answers status 2,
   * and each recipient has the status given (1 sent, 2 not a friend, 3 already had a mass message;
   * recipients left out: 0, not sent).
   */
  staffSent(msgid: string, statuses: Record<string, number>, sendTime = 1_700_000_600): void {
    this.outcomes.set(msgid, { sendTime, statuses: new Map(Object.entries(statuses)) });
  }

  callsTo(path: string): FakeCall[] {
    return this.calls.filter((c) => c.path === path);
  }

  private async handle(req: IncomingMessage): Promise<Record<string, unknown>> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> | null = null;
    if (raw) {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return { errcode: 47001, errmsg: 'data format error' };
      }
    }
    const query = Object.fromEntries(url.searchParams.entries());
    const path = url.pathname;
    this.calls.push({ path, query, body });

    const injected = this.injected.get(path)?.shift();
    if (injected) return injected;

    if (path === '/cgi-bin/gettoken') {
      if (query.corpid !== this.corpId) return { errcode: 40013, errmsg: 'invalid corpid' };
      if (query.corpsecret !== this.secret) return { errcode: 40001, errmsg: 'invalid credential' };
      const token = randomBytes(12).toString('hex');
      this.live.add(token);
      return { errcode: 0, errmsg: 'ok', access_token: token, expires_in: this.tokenTtl };
    }
    const token = query.access_token;
    if (!token) return { errcode: 41001, errmsg: 'access_token missing' };
    if (!this.live.has(token)) return { errcode: 42001, errmsg: 'access_token expired' };

    switch (path) {
      case '/cgi-bin/externalcontact/get_follow_user_list':
        return { errcode: 0, errmsg: 'ok', follow_user: [...this.contacts.keys()] };
      case '/cgi-bin/externalcontact/list': {
        const list = this.contacts.get(query.userid ?? '');
        return list ? { errcode: 0, errmsg: 'ok', external_userid: list } : { errcode: 84061, errmsg: 'not external contact' };
      }
      case '/cgi-bin/externalcontact/get': {
        const id = query.external_userid ?? '';
        const follow = [...this.contacts.entries()].filter(([, ids]) => ids.includes(id)).map(([userid]) => ({ userid, createtime: 1700000000, ...(this.contactStates.has(id) ? { state: this.contactStates.get(id) } : {}) }));
        if (follow.length === 0) return { errcode: 40096, errmsg: 'invalid external userid' };
        return { errcode: 0, errmsg: 'ok', external_contact: { external_userid: id, name: `客户${id.slice(-4)}`, type: 1 }, follow_user: follow };
      }
      case '/cgi-bin/externalcontact/groupchat/list':
        return { errcode: 0, errmsg: 'ok', group_chat_list: [...this.groups.keys()].map((chat_id) => ({ chat_id, status: 0 })), next_cursor: '' };
      case '/cgi-bin/externalcontact/groupchat/get': {
        const chat = this.groups.get(String(body?.chat_id ?? ''));
        return chat ? { errcode: 0, errmsg: 'ok', group_chat: chat } : { errcode: 40050, errmsg: 'chatid not found' };
      }
      case '/cgi-bin/externalcontact/send_welcome_msg':
        return body?.welcome_code ? { errcode: 0, errmsg: 'ok' } : { errcode: 41051, errmsg: 'welcome_code missing' };
      case '/cgi-bin/externalcontact/add_msg_template': {
        this.msgSeq += 1;
        const ids = Array.isArray(body?.external_userid) ? (body.external_userid as string[]) : [];
        const known = new Set([...this.contacts.values()].flat());
        this.templates.set(`msg${this.msgSeq}`, ids.filter((id) => known.has(id)));
        this.senders.set(`msg${this.msgSeq}`, String(body?.sender ?? ''));
        return { errcode: 0, errmsg: 'ok', fail_list: ids.filter((id) => !known.has(id)), msgid: `msg${this.msgSeq}` };
      }
      case '/cgi-bin/externalcontact/get_groupmsg_send_result': {
        // Sent to the first recipient, the rest still waiting for the staff member's confirmation;
        // one result per page, so a caller must follow next_cursor.
        const sent = this.templates.get(String(body?.msgid ?? '')) ?? [];
        const at = Number(body?.cursor ?? 0);
        const outcome = this.outcomes.get(String(body?.msgid ?? ''));
        if (outcome) {
          const page = sent.slice(at, at + 2).map((external_userid) => {
            const status = outcome.statuses.get(external_userid) ?? 0;
            return { external_userid, userid: String(body?.userid ?? ''), status, ...(status === 1 ? { send_time: outcome.sendTime } : {}) };
          });
          return { errcode: 0, errmsg: 'ok', next_cursor: at + 2 < sent.length ? String(at + 2) : '', send_list: page };
        }
        const id = sent[at];
        const page = id ? [{ external_userid: id, userid: String(body?.userid ?? ''), status: at === 0 ? 1 : 0, ...(at === 0 ? { send_time: 1700000000 } : {}) }] : [];
        return { errcode: 0, errmsg: 'ok', next_cursor: at + 1 < sent.length ? String(at + 1) : '', send_list: page };
      }
      case '/cgi-bin/externalcontact/get_groupmsg_task': {
        const msgid = String(body?.msgid ?? '');
        const sender = this.senders.get(msgid);
        if (sender === undefined) return { errcode: 41063, errmsg: 'msgid not found' };
        const outcome = this.outcomes.get(msgid);
        return { errcode: 0, errmsg: 'ok', next_cursor: '', task_list: [{ userid: sender, status: outcome ? 2 : 0, ...(outcome ? { send_time: outcome.sendTime } : {}) }] };
      }
      case '/cgi-bin/externalcontact/group_welcome_template/add':
        return (body?.text as { content?: string } | undefined)?.content ? { errcode: 0, errmsg: 'ok', template_id: `gwt${this.calls.length}` } : { errcode: 41048, errmsg: 'content missing' };
      case '/cgi-bin/externalcontact/group_welcome_template/edit':
        return body?.template_id ? { errcode: 0, errmsg: 'ok' } : { errcode: 41049, errmsg: 'template_id missing' };
      case '/cgi-bin/externalcontact/add_contact_way':
        return { errcode: 0, errmsg: 'ok', config_id: `cfg${this.calls.length}`, qr_code: 'https://wework.qpic.cn/fake/qr.png' };
      case '/cgi-bin/externalcontact/update_contact_way':
        return { errcode: 0, errmsg: 'ok' };
      default:
        return { errcode: 404, errmsg: `no such API ${path}` };
    }
  }
}
