-- When each console user last signed in, for the accounts page (sessions are deleted at sign-out,
-- so they cannot tell).
alter table users add column last_sign_in_at timestamptz;
