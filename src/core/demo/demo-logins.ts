// The demo logins the sign-in page offers: the first-boot demo tenant and the operating-model
// demos, each listed only while it exists and its user still signs in with the published demo
// password. An operator who changes those passwords (or disables the users) takes them off the
// page; YUCHI_DEMO_HINTS=0 takes them all off.
import { verify as argon2Verify } from '@node-rs/argon2';
import type { Db } from '../../db/connect.ts';
import type { Role } from '../../db/schema.ts';
import type { OperatingModel } from '../diagnosis/diagnosis.rules.ts';
import { DEMO_LOGINS, DEMO_PASSWORD, DEMO_TENANT } from './demo-tenant.ts';
import { MODEL_DEMOS, modelDemoLogin } from './model-demos.ts';

export interface DemoLoginTenant {
  tenant: string;
  name: string;
  /** The operating model the tenant shows; null for the first-boot demo. */
  model: OperatingModel | null;
  brand: string | null;
  logins: { role: Role; email: string; password: string }[];
}

export interface DemoCandidate {
  slug: string;
  model: OperatingModel | null;
  brand: string | null;
  emails: string[];
}

export const DEMO_CANDIDATES: DemoCandidate[] = [
  { slug: DEMO_TENANT.slug, model: null, brand: null, emails: [DEMO_LOGINS.admin, DEMO_LOGINS.operator, DEMO_LOGINS.guide] },
  ...Object.values(MODEL_DEMOS).map((d) => ({ slug: d.slug, model: d.model, brand: d.brand, emails: [modelDemoLogin(d.model).email] })),
];

// argon2 is slow on purpose; a hash either matches the demo password or not, forever, so the answer
// is remembered per hash. A changed password is a new hash and is checked once.
const verdicts = new Map<string, Promise<boolean>>();

function isDemoPassword(hash: string): Promise<boolean> {
  let verdict = verdicts.get(hash);
  if (!verdict) {
    verdict = argon2Verify(hash, DEMO_PASSWORD).catch(() => false);
    verdicts.set(hash, verdict);
  }
  return verdict;
}

export function demoHintsEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.YUCHI_DEMO_HINTS !== '0';
}

export async function listDemoLogins(db: Db, candidates: DemoCandidate[] = DEMO_CANDIDATES): Promise<DemoLoginTenant[]> {
  const rows = await db
    .selectFrom('users')
    .innerJoin('tenants', 'tenants.id', 'users.tenant_id')
    .select(['tenants.slug', 'tenants.name', 'users.email', 'users.role', 'users.password_hash'])
    .where('tenants.slug', 'in', candidates.map((c) => c.slug))
    .where('users.disabled_at', 'is', null)
    .execute();
  const out: DemoLoginTenant[] = [];
  for (const c of candidates) {
    const users = rows.filter((r) => r.slug === c.slug);
    const logins: DemoLoginTenant['logins'] = [];
    for (const email of c.emails) {
      const user = users.find((u) => u.email === email);
      if (user && (await isDemoPassword(user.password_hash))) logins.push({ role: user.role, email, password: DEMO_PASSWORD });
    }
    const first = users[0];
    if (first && logins.length > 0) out.push({ tenant: c.slug, name: first.name, model: c.model, brand: c.brand, logins });
  }
  return out;
}
