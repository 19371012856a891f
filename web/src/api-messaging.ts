// The console's calls for messaging: restraint settings, templates and preview, mass sends with
// dry run, progress and lift, and the sandbox phones.
import { call, type Signal } from './api.ts';

export type MessageChannel = 'wecom' | 'email' | 'sms' | 'webhook' | 'sandbox';
export type MassChannel = 'wecom' | 'email' | 'sms' | 'sandbox';
export type CapPolicy = 'reschedule' | 'drop';

export interface MessagingSettings {
  platformQuota: { perDay: number; perWeek: number; perMonth: number; channels: MessageChannel[] };
  frequencyCaps: { channel: MessageChannel; max: number; days: number }[];
  quietHours: { enabled: boolean; start: string; end: string; appliesTo: 'marketing' | 'all' };
  consent: { requireGrantFor: MessageChannel[] };
  priorities: { onCapReached: CapPolicy; bySource: Record<string, CapPolicy>; rescheduleWithinDays: number };
  globalHoldoutPercent: number;
}

export interface TemplateContent {
  wecom?: { text: string; attachments?: { kind: 'image' | 'link' | 'miniprogram'; url?: string; title?: string }[] };
  sandbox?: { text: string };
  email?: { subject: string; body: string };
  sms?: { text: string };
}
export interface MessageTemplate { id: string; name: string; content: TemplateContent; variables: string[]; createdAt: string; updatedAt: string }
export interface MessageContent { text: string; subject?: string; attachments?: { kind: string; url?: string; title?: string }[] }
export interface Preview { channel: string; content: MessageContent; values: Record<string, string>; sms: { characters: number; segments: number; perSegment: number; encoding: string } | null }

export type AudienceKind = 'all' | 'segment' | 'tag' | 'group';
export interface AudienceSet { kind: AudienceKind; ids: string[] }
export type Schedule = { now: true } | { at: string } | { date: string; localTime: string };
export interface MassSendInput {
  name: string; channel: MassChannel; templateId: string; audience: { include: AudienceSet; exclude?: AudienceSet };
  schedule: Schedule; priority: number; holdoutPercent: number; conversionDays: number;
}
export interface PlanCounts { audience: number; planned: number; heldOut: number; excluded: Record<string, number>; moved: Record<string, number> }
export interface MassSend {
  id: string; name: string; channel: MassChannel; templateId: string; status: 'planning' | 'planned' | 'done' | 'cancelled'; sendAt: string; createdAt: string;
  priority: number; holdoutPercent: number; conversionDays: number; counts: Partial<PlanCounts>; progress: Record<string, number>;
  staff: { staffId: string; name: string; messages: number; status: string; reason: string | null; confirmedAt: string | null }[];
}
export interface Interval { difference: number; low: number; high: number }
export interface GroupFigures { customers: number; converted: number; revenueFen: number }
export interface LiftReport {
  conversionDays: number; treated: GroupFigures; heldOut: GroupFigures;
  lift: { treatedRate: number; heldOutRate: number; conversion: Interval | null; treatedRevenuePerCustomerFen: number; heldOutRevenuePerCustomerFen: number; revenuePerCustomer: Interval | null };
}
export interface SandboxPhone { customerId: string; name: string; messages: number; lastAt: string; lastText: string }
export interface InboxEntry { id: string; direction: 'in' | 'out'; content: MessageContent; at: string; redeliveries: number }

const id = (value: string): string => encodeURIComponent(value);

export const messagingApi = {
  settings: (opts: Signal = {}) => call<MessagingSettings>('GET', '/messaging/settings', opts),
  saveSettings: (settings: MessagingSettings) => call<MessagingSettings>('PUT', '/messaging/settings', { body: settings }),
  templates: (opts: Signal = {}) => call<{ items: MessageTemplate[] }>('GET', '/message-templates', opts),
  createTemplate: (input: { name: string; content: TemplateContent }) => call<MessageTemplate>('POST', '/message-templates', { body: input }),
  preview: (input: { templateId?: string; content?: TemplateContent; channel: 'wecom' | 'sandbox' | 'email' | 'sms'; customerId: string }, opts: Signal = {}) =>
    call<Preview>('POST', '/message-templates/preview', { ...opts, body: input }),
  massSends: (opts: Signal = {}) => call<{ items: MassSend[] }>('GET', '/mass-sends', opts),
  massSend: (massSendId: string, opts: Signal = {}) => call<MassSend>('GET', `/mass-sends/${id(massSendId)}`, opts),
  dryRun: (input: MassSendInput) => call<PlanCounts>('POST', '/mass-sends/dry-run', { body: input }),
  createMassSend: (input: MassSendInput) => call<MassSend>('POST', '/mass-sends', { body: input }),
  cancelMassSend: (massSendId: string) => call<MassSend>('POST', `/mass-sends/${id(massSendId)}/cancel`),
  report: (massSendId: string, opts: Signal = {}) => call<LiftReport>('GET', `/mass-sends/${id(massSendId)}/report`, opts),
  phones: (opts: Signal = {}) => call<{ items: SandboxPhone[] }>('GET', '/sandbox/phones', opts),
  inbox: (customerId: string, opts: Signal = {}) => call<{ items: InboxEntry[] }>('GET', `/sandbox/phones/${id(customerId)}`, opts),
  reply: (customerId: string, text: string) => call<InboxEntry>('POST', `/sandbox/phones/${id(customerId)}/replies`, { body: { text } }),
};
