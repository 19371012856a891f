-- The operating-model diagnosis (issue: advisor and playbooks): each run keeps the answers, what
-- the tenant's orders measured, and the result, so a tenant can see how its diagnosis moved.
create table diagnoses (
  tenant_id   uuid not null references tenants (id) on delete cascade,
  id          uuid not null,
  answers     jsonb not null,
  measured    jsonb,
  result      jsonb not null,
  created_by  text not null,
  created_at  timestamptz not null default now(),
  primary key (tenant_id, id)
);
create index diagnoses_latest on diagnoses (tenant_id, created_at desc);
