-- Why a scoring run left CLV empty, as the refusal's code and values beside its words in
-- clv_reason, so the console words it in the reader's language without reading the words back.
-- Runs stored before keep their words alone (both columns null; core/clv/clv.reasons.ts reads them).
alter table scoring_runs
  add column clv_reason_code text,
  add column clv_reason_params jsonb;
