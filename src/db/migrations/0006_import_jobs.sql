-- Imports started from the console: the uploaded CSV waits in a file, a worker job reads it through
-- the same import as `yuchi import`, and this row carries its progress and result for the page
-- that polls it. Every refused row is kept (import_job_errors) for the errors.csv download.
create table import_jobs (
  tenant_id       uuid not null references tenants (id) on delete cascade,
  id              uuid not null,
  kind            text not null check (kind in ('customers', 'orders')),
  file_name       text not null check (length(file_name) between 1 and 255),
  -- Where the upload waits for the worker; removed (set null) once the job has read it.
  file_path       text,
  status          text not null default 'queued' check (status in ('queued', 'running', 'done', 'failed')),
  all_or_nothing  boolean not null default false,
  bytes_total     bigint not null default 0,
  bytes_read      bigint not null default 0,
  rows            integer not null default 0,
  rows_imported   integer not null default 0,
  rows_rejected   integer not null default 0,
  created         integer not null default 0,
  updated         integer not null default 0,
  duplicates      integer not null default 0,
  -- False when an all-or-nothing import refused a row and stored nothing.
  stored          boolean not null default true,
  first_errors    jsonb not null default '[]',
  error           text,
  created_by      text not null,
  created_at      timestamptz not null default now(),
  started_at      timestamptz,
  updated_at      timestamptz not null default now(),
  finished_at     timestamptz,
  primary key (tenant_id, id)
);
create index import_jobs_recent on import_jobs (tenant_id, created_at desc);

create table import_job_errors (
  tenant_id  uuid not null,
  job_id     uuid not null,
  seq        integer not null,
  line       integer not null,
  column_name text not null,
  reason     text not null,
  primary key (tenant_id, job_id, seq),
  foreign key (tenant_id, job_id) references import_jobs (tenant_id, id) on delete cascade
);
