import { describe, expect, it } from 'vitest';
import { createTenant, getTenantBySlug } from '../../src/core/tenants/tenants.service.ts';
import { YuchiError } from '../../src/core/errors.ts';
import { newTenant, testDb } from '../helpers.ts';

describe('tenants', () => {
  it('creates a tenant with the default time zone and finds it by slug', async () => {
    const tenant = await newTenant('果园');
    expect(tenant.timezone).toBe('Asia/Shanghai');
    expect((await getTenantBySlug(testDb().db, tenant.slug)).id).toBe(tenant.id);
  });

  it('refuses a duplicate slug, a bad slug and an unknown zone, naming the field', async () => {
    const tenant = await newTenant();
    const db = testDb().db;
    await expect(createTenant(db, { slug: tenant.slug, name: 'x' })).rejects.toMatchObject({ code: 'conflict', details: [{ path: 'slug' }] });
    await expect(createTenant(db, { slug: 'Bad Slug', name: 'x' })).rejects.toBeInstanceOf(YuchiError);
    await expect(createTenant(db, { slug: 'ok-slug-zone', name: 'x', timezone: 'Mars/Olympus' })).rejects.toMatchObject({ details: [{ path: 'timezone' }] });
  });
});
