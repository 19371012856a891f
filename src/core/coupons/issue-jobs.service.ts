// Bulk issuance to everyone holding a tag or in a segment (人群), run by the worker in chunks.
// A job is one request key: asking again with the same key returns the same job, and a job run
// twice issues nothing twice (each chunk is issueCoupons with the job's key).
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { inTransaction } from '../../db/transaction.ts';
import { YuchiError, invalid, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { issueCoupons } from './issue.service.ts';

export const ISSUE_TASK = 'issue_coupons';
const CHUNK = 1000;

export interface IssueJobView {
  id: string;
  templateId: string;
  targetKind: 'tag' | 'segment';
  targetId: string;
  requestKey: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  issued: number;
  skipped: number;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

interface JobRow {
  id: string;
  template_id: string;
  target_kind: 'tag' | 'segment';
  target_id: string;
  request_key: string;
  status: IssueJobView['status'];
  issued: number;
  skipped: number;
  error: string | null;
  created_by: string;
  created_at: Date;
  finished_at: Date | null;
}

const toView = (r: JobRow): IssueJobView => ({
  id: r.id, templateId: r.template_id, targetKind: r.target_kind, targetId: r.target_id, requestKey: r.request_key, status: r.status,
  issued: r.issued, skipped: r.skipped, error: r.error, createdAt: r.created_at.toISOString(), finishedAt: r.finished_at?.toISOString() ?? null,
});

export async function createIssueJob(db: Db, tenantId: string, templateId: string, input: { targetKind: 'tag' | 'segment'; targetId: string; requestKey: string }, actor: string): Promise<{ job: IssueJobView; created: boolean }> {
  return inTransaction(db, async (trx) => {
    const template = await trx.selectFrom('coupon_templates').select('id').where('tenant_id', '=', tenantId).where('id', '=', templateId).executeTakeFirst();
    if (!template) throw notFound('coupon template');
    const target = input.targetKind === 'tag'
      ? await trx.selectFrom('tags').select('id').where('tenant_id', '=', tenantId).where('id', '=', input.targetId).executeTakeFirst()
      : await trx.selectFrom('segments').select('id').where('tenant_id', '=', tenantId).where('id', '=', input.targetId).executeTakeFirst();
    if (!target) throw invalid('body.targetId', `no ${input.targetKind} ${input.targetId}`, { code: input.targetKind === 'tag' ? 'unknown_tag' : 'unknown_segment', params: {} });
    const id = newId();
    const inserted = await sql<JobRow>`
      insert into coupon_issue_jobs (tenant_id, id, template_id, target_kind, target_id, request_key, created_by)
      values (${tenantId}, ${id}, ${templateId}, ${input.targetKind}, ${input.targetId}, ${input.requestKey}, ${actor})
      on conflict (tenant_id, template_id, request_key) do nothing returning *`.execute(trx);
    const row = inserted.rows[0];
    if (row) {
      await sql`select graphile_worker.add_job(${ISSUE_TASK}, json_build_object('tenantId', ${tenantId}::text, 'jobId', ${id}::text),
                  queue_name => ${`coupons:${tenantId}`}, max_attempts => 3, job_key => ${`issue_coupons:${id}`})`.execute(trx);
      return { job: toView(row), created: true };
    }
    const existing = (await sql<JobRow>`select * from coupon_issue_jobs where tenant_id = ${tenantId} and template_id = ${templateId} and request_key = ${input.requestKey}`.execute(trx)).rows[0];
    if (!existing) throw new Error('issue job vanished');
    if (existing.target_kind !== input.targetKind || existing.target_id !== input.targetId) {
      throw new YuchiError('conflict', `request key ${input.requestKey} was used for another target`, [{ path: 'body.requestKey', message: 'already used for another target', code: 'request_key_reused', params: {} }]);
    }
    return { job: toView(existing), created: false };
  });
}

export async function listIssueJobs(db: Db, tenantId: string, templateId: string): Promise<IssueJobView[]> {
  const rows = await sql<JobRow>`select * from coupon_issue_jobs where tenant_id = ${tenantId} and template_id = ${templateId} order by created_at desc limit 50`.execute(db);
  return rows.rows.map(toView);
}

/** Runs a bulk issue: members in customer-id order, one transaction per chunk; safe to run again. */
export async function runIssueJob(db: Db, tenantId: string, jobId: string): Promise<IssueJobView['status']> {
  const job = (await sql<JobRow>`
    update coupon_issue_jobs set status = 'running', issued = 0, skipped = 0, error = null
     where tenant_id = ${tenantId} and id = ${jobId} and status <> 'done' returning *`.execute(db)).rows[0];
  if (!job) return 'done';
  let after = '00000000-0000-0000-0000-000000000000';
  let issued = 0;
  let skipped = 0;
  try {
    for (;;) {
      const members = job.target_kind === 'tag'
        ? await sql<{ customer_id: string }>`select customer_id from customer_tags where tenant_id = ${tenantId} and tag_id = ${job.target_id} and customer_id > ${after} order by customer_id limit ${CHUNK}`.execute(db)
        : await sql<{ customer_id: string }>`select customer_id from segment_members where tenant_id = ${tenantId} and segment_id = ${job.target_id} and customer_id > ${after} order by customer_id limit ${CHUNK}`.execute(db);
      const ids = members.rows.map((r) => r.customer_id);
      const last = ids[ids.length - 1];
      if (last === undefined) break;
      after = last;
      const result = await issueCoupons(db, tenantId, job.template_id, ids, { requestKey: `bulk:${job.request_key}`, source: 'bulk', actor: job.created_by, partial: true });
      issued += result.issued.length + result.duplicates.length;
      skipped += result.skipped.length;
      await sql`update coupon_issue_jobs set issued = ${issued}, skipped = ${skipped} where tenant_id = ${tenantId} and id = ${jobId}`.execute(db);
    }
    await sql`update coupon_issue_jobs set status = 'done', finished_at = now() where tenant_id = ${tenantId} and id = ${jobId}`.execute(db);
    return 'done';
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await sql`update coupon_issue_jobs set status = 'failed', error = ${message}, finished_at = now() where tenant_id = ${tenantId} and id = ${jobId}`.execute(db);
    return 'failed';
  }
}
