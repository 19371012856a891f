-- Channels: each tenant's settings for WeCom, email, SMS and webhook sending, the WeCom callbacks
-- already handled (so a replay is processed once), and a customer's email address for the email
-- channel.

-- One row per tenant and channel. config holds the provider's settings including its secrets
-- (WeCom app secret, callback token and AES key, SMTP password, gateway keys, webhook signing
-- secret): the API never returns them, only masked.
create table channel_settings (
  tenant_id         uuid not null references tenants (id) on delete cascade,
  kind              text not null check (kind in ('wecom', 'email', 'sms', 'webhook')),
  config            jsonb not null,
  updated_at        timestamptz not null default now(),
  updated_by        text not null,
  last_test_at      timestamptz,
  last_test_ok      boolean,
  last_test_detail  text,
  primary key (tenant_id, kind)
);

-- A WeCom callback Yuchi has handled, by a digest of its decrypted content: WeCom retries a
-- callback it did not see answered in 5 s, and an attacker may replay a captured one.
create table wecom_callbacks (
  tenant_id    uuid not null references tenants (id) on delete cascade,
  id           text not null check (length(id) between 1 and 64),
  -- contact_added, group_change, ignored ...
  kind         text not null,
  detail       jsonb not null default '{}',
  received_at  timestamptz not null default now(),
  primary key (tenant_id, id)
);
create index wecom_callbacks_recent on wecom_callbacks (tenant_id, received_at desc);

-- Where the email channel writes to. Lower-case, so one address is one spelling; a merge keeps
-- the survivor's address, or takes the merged profile's when the survivor has none.
alter table customers
  add column email text check (email is null or (length(email) between 3 and 254 and email = lower(email) and email ~ '^[^@\s]+@[^@\s]+$'));
