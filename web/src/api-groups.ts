// The groups (社群) calls of /api/v1, on the shared `call`.
import { call, type Page, type Ref, type Signal } from './api.ts';

export type GroupKind = 'value' | 'interest' | 'group_buy' | 'vip' | 'service' | 'other';
export type HealthClass = 'value' | 'chicken_rib' | 'dead' | 'spam';
export type GroupShape = 'mesh' | 'hub_and_spoke' | 'unknown';
export type GroupAction = 'revive' | 'dissolve' | 'split' | 'clean_spam' | 'spark_conversation';

export interface HealthReason {
  code: string;
  values: Record<string, number>;
}

export interface GroupHealth {
  class: HealthClass;
  shape: GroupShape;
  week: string;
  reasons: HealthReason[];
  actions: GroupAction[];
  computedAt: string;
}

export interface GroupSummary {
  id: string;
  chatId: string;
  name: string;
  kind: GroupKind;
  purpose: string;
  status: 'active' | 'dissolved';
  capacity: number;
  members: number;
  owner: Ref | null;
  store: Ref | null;
  seriesOf: string | null;
  createdAt: string;
  dissolvedAt: string | null;
  health: GroupHealth | null;
  trend: { week: string; messages: number; activeMembers: number }[];
}

export interface GroupWeek {
  week: string;
  members: number;
  joins: number;
  leaves: number;
  messages: number;
  staffMessages: number;
  ownerMessages: number;
  activeMembers: number;
  replies: number;
  memberReplies: number;
  staffReplies: number;
  memberLinks: number;
  flaggedMessages: number;
}

export interface GroupDetail extends GroupSummary {
  weeks: GroupWeek[];
}

export interface GroupMember {
  customerId: string;
  name: string;
  joinedAt: string;
  leftAt: string | null;
  messages90d: number;
}

export interface GroupMessage {
  eventId: string;
  at: string;
  sender: { kind: 'customer' | 'staff'; id: string; name: string; isOwner: boolean };
  replyTo: { kind: 'customer' | 'staff'; id: string; name: string } | null;
  text: string;
  hasLink: boolean;
  flagged: boolean;
}

export type RuleKind = 'auto_reply' | 'banned_word' | 'link';
export type RuleMatch = 'keyword' | 'regex' | 'any_link';
export type RuleAction = 'reply' | 'flag' | 'remove';

export interface GroupRule {
  id: string;
  name: string;
  groupId: string | null;
  kind: RuleKind;
  match: RuleMatch;
  pattern: string;
  replyTemplate: string;
  action: RuleAction;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface GroupRuleInput {
  name: string;
  groupId?: string | null;
  kind: RuleKind;
  match: RuleMatch;
  pattern?: string;
  replyTemplate?: string;
  action: RuleAction;
  active?: boolean;
}

export interface ModerationEntry {
  id: string;
  groupId: string;
  groupName: string;
  ruleId: string | null;
  ruleName: string | null;
  customerId: string | null;
  customerName: string | null;
  action: RuleAction;
  detail: Record<string, unknown>;
  at: string;
}

export interface GroupFilter {
  storeId?: string;
  ownerId?: string;
  kind?: GroupKind;
  status?: 'active' | 'dissolved';
  healthClass?: HealthClass;
  q?: string;
  page: number;
  pageSize: number;
}

export interface GroupWelcome {
  id: string; groupId: string | null; groupKind: GroupKind | null; text: string; enabled: boolean;
  wecomTemplateId: string | null; wecomDetail: string | null; updatedAt: string;
}

export interface InviteRule {
  id: string; name: string; tagId: string | null; segmentId: string | null; kind: GroupKind; storeId: string | null;
  active: boolean; createdAt: string; lastRunAt: string | null;
}
export interface InviteRuleInput { name: string; tagId?: string | null; segmentId?: string | null; kind: GroupKind; storeId?: string | null }
export interface InviteRun { ruleId: string; invited: number; unrouted: number; groupsCreated: { id: string; name: string }[] }

const id = (value: string): string => encodeURIComponent(value);

export const groupsApi = {
  list: (filter: GroupFilter, opts: Signal = {}) => call<Page<GroupSummary>>('GET', '/groups', { ...opts, query: { ...filter } }),
  get: (groupId: string, opts: Signal = {}) => call<GroupDetail>('GET', `/groups/${id(groupId)}`, opts),
  update: (groupId: string, patch: Partial<Pick<GroupSummary, 'name' | 'kind' | 'purpose' | 'capacity' | 'status'>>) =>
    call<GroupDetail>('PATCH', `/groups/${id(groupId)}`, { body: patch }),
  members: (groupId: string, query: { page: number; pageSize: number; status?: 'current' | 'left' | 'all' }, opts: Signal = {}) =>
    call<Page<GroupMember>>('GET', `/groups/${id(groupId)}/members`, { ...opts, query }),
  history: (groupId: string, opts: Signal = {}) =>
    call<{ items: { customerId: string; name: string; action: 'joined' | 'left'; at: string }[] }>('GET', `/groups/${id(groupId)}/member-history`, { ...opts, query: { limit: 100 } }),
  messages: (groupId: string, query: { page: number; pageSize: number }, opts: Signal = {}) =>
    call<Page<GroupMessage>>('GET', `/groups/${id(groupId)}/messages`, { ...opts, query }),
  recompute: (weeks: number) => call<{ classified: number; judgedWeek: string }>('POST', '/groups/health/recompute', { body: { weeks } }),
  rules: (groupId?: string, opts: Signal = {}) => call<{ items: GroupRule[] }>('GET', '/group-rules', { ...opts, query: { groupId } }),
  createRule: (input: GroupRuleInput) => call<GroupRule>('POST', '/group-rules', { body: input }),
  updateRule: (ruleId: string, patch: Partial<GroupRuleInput>) => call<GroupRule>('PATCH', `/group-rules/${id(ruleId)}`, { body: patch }),
  deleteRule: (ruleId: string) => call<undefined>('DELETE', `/group-rules/${id(ruleId)}`),
  welcomes: (opts: Signal = {}) => call<{ items: GroupWelcome[] }>('GET', '/group-welcomes', opts),
  saveWelcome: (input: { groupId?: string; groupKind?: GroupKind; text: string; enabled: boolean }) => call<GroupWelcome>('PUT', '/group-welcomes', { body: input }),
  inviteRules: (opts: Signal = {}) => call<{ items: InviteRule[] }>('GET', '/group-invite-rules', opts),
  createInviteRule: (input: InviteRuleInput) => call<InviteRule>('POST', '/group-invite-rules', { body: input }),
  setInviteRuleActive: (ruleId: string, active: boolean) => call<InviteRule>('PATCH', `/group-invite-rules/${id(ruleId)}`, { body: { active } }),
  runInviteRule: (ruleId: string) => call<InviteRun>('POST', `/group-invite-rules/${id(ruleId)}/run`),
  moderationLog: (query: { groupId?: string; limit?: number }, opts: Signal = {}) =>
    call<{ items: ModerationEntry[] }>('GET', '/group-moderation-log', { ...opts, query }),
};
