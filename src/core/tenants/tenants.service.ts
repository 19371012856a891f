import type { Db } from '../../db/connect.ts';
import type { Tenant } from '../../db/schema.ts';
import { conflict, invalid, isUniqueViolation, notFound } from '../errors.ts';
import { newId } from '../ids.ts';

export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{1,39}$/;

export interface NewTenant {
  slug: string;
  name: string;
  timezone?: string;
}

export async function createTenant(db: Db, input: NewTenant): Promise<Tenant> {
  if (!SLUG_PATTERN.test(input.slug)) {
    throw invalid('slug', 'use 2–40 lowercase letters, digits or dashes, starting with a letter or digit');
  }
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100) throw invalid('name', 'must be 1–100 characters');
  const timezone = input.timezone ?? 'Asia/Shanghai';
  if (!isTimeZone(timezone)) throw invalid('timezone', `unknown time zone ${timezone}`);
  try {
    return await db
      .insertInto('tenants')
      .values({ id: newId(), slug: input.slug, name, timezone })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('slug', `a tenant with slug ${input.slug} exists`);
    throw err;
  }
}

export async function findTenantBySlug(db: Db, slug: string): Promise<Tenant | undefined> {
  return db.selectFrom('tenants').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export async function getTenantBySlug(db: Db, slug: string): Promise<Tenant> {
  const tenant = await findTenantBySlug(db, slug);
  if (!tenant) throw notFound(`tenant ${slug}`);
  return tenant;
}

export async function getTenant(db: Db, id: string): Promise<Tenant> {
  const tenant = await db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
  if (!tenant) throw notFound('tenant');
  return tenant;
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
