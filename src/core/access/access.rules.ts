// Who may do what. Roles: admin (everything, including people and keys), operator (runs the
// business: customers, orders, campaigns), guide (serves their own customers only).
import type { Role } from '../../db/schema.ts';

export type Permission =
  | 'codes:write'     // acquisition codes (渠道活码 / 门店码): create, change, pause
  | 'customers:transfer' // hand customers to another guide (WeCom: at most twice in 90 days)
  | 'customers:read'
  | 'orders:read'
  | 'org:read'        // stores and staff
  | 'org:write'
  | 'analytics:read'
  | 'access:write'    // users and API keys
  | 'events:write'    // customer events and orders sent by integrations
  | 'orders:write'
  | 'tags:write'      // tag groups, tags, rule tags, pre-tags, bulk tagging
  | 'customers:tag'   // tag one customer at a time (a guide: only their own)
  | 'forms:write'     // questionnaires and their submissions
  | 'customers:export' // customer lists to CSV/XLSX, one person's data as JSON (PIPL)
  | 'customers:import' // customer and order CSV imports from the console
  | 'privacy:write'   // marketing consent (a guide: their own customers)
  | 'privacy:erase'   // erase a customer (PIPL)
  | 'scores:write'    // scoring settings and on-demand scoring runs (RFM, lifecycle, tiers, CLV)
  | 'promotions:write' // coupon templates and issuance, price rules, flash sales
  | 'segments:write'  // segments (人群): save, change, archive, recompute
  | 'playbooks:write' // the operating-model diagnosis and playbooks
  | 'solitaires:write' // 接龙 in groups (a guide: in the groups they own)
  | 'referral:write'  // referral codes, partners, reward rules, attribution runs
  | 'channels:write'  // channel settings (WeCom, email, SMS, webhook) with their secrets, connection tests
  | 'messaging:write'  // restraint settings, templates, mass sends, the sandbox phones
  | 'groups:write'     // groups (社群): registry, health recompute, auto-invite, auto-reply and moderation rules
  | 'sop:write'          // SOP plans and templates, the script library (话术库)
  | 'journeys:write';  // journeys (自动化旅程): drafts, publish, pause, resume, archive

// What a guide may do; operators and admins add to it.
const BASE_GRANTS = ['customers:read', 'orders:read', 'org:read', 'customers:tag', 'privacy:write',
  'solitaires:write'] as const;
const RUNS_THE_BUSINESS = [
  ...BASE_GRANTS, 'analytics:read', 'events:write', 'orders:write', 'tags:write', 'forms:write', 'customers:export', 'customers:import',
  'scores:write', 'promotions:write', 'segments:write', 'playbooks:write', 'referral:write', 'messaging:write',
  'codes:write', 'customers:transfer',
  'groups:write',
  'sop:write',
  'journeys:write',
] as const;

const GRANTS: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set<Permission>([...RUNS_THE_BUSINESS, 'org:write', 'access:write', 'privacy:erase',
    'channels:write']),
  operator: new Set<Permission>(RUNS_THE_BUSINESS),
  guide: new Set<Permission>(BASE_GRANTS),
};

export const ROLES: readonly Role[] = ['admin', 'operator', 'guide'];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].has(permission);
}

/** Whoever is acting: a console user or an API key, always inside one tenant. */
export interface Actor {
  tenantId: string;
  tenantSlug: string;
  tenantName: string;
  timezone: string;
  role: Role;
  /** For a guide, the staff member whose customers they see; null for others. */
  staffId: string | null;
  userId: string | null;
  apiKeyId: string | null;
  name: string;
}

/**
 * A guide sees only customers they own. Returns the guide's staff id to filter by, or
 * undefined when the actor sees every customer of the tenant. A guide with no staff record
 * sees nobody (the impossible id keeps every query's shape the same).
 */
export function ownCustomersOnly(actor: Actor): string | undefined {
  if (actor.role !== 'guide') return undefined;
  return actor.staffId ?? '00000000-0000-0000-0000-000000000000';
}
