-- Why an import failed as a code and its values (a header without an identity column, a file not in
-- UTF-8 …), beside the English words in `error`, so the console words the failure in the reader's
-- language. Jobs that failed before keep their words alone (both columns null).
alter table import_jobs
  add column error_code text,
  add column error_params jsonb;
