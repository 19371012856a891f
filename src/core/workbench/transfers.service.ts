// Handing customers from one guide to another. A transfer moves the guide and the WeCom
// friendship; WeCom allows a customer at most two in 90 days, so each customer is checked on its
// own and refused with the reason (nothing of a refused one changes). A resigned guide's
// customers are inherited by a successor in one go. Every move is a row in customer_transfers
// and a customer_transferred event on the customer's timeline.
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { Actor } from '../access/access.rules.ts';
import { invalid, notFound, YuchiError } from '../errors.ts';
import { newId, UUID_PATTERN } from '../ids.ts';
import { actorLabel } from '../tags/tags.rules.ts';
import { transferRefusal, TRANSFER_WINDOW_DAYS, type TransferRefusal } from './workbench.rules.ts';

export interface TransferResult {
  transferred: { customerId: string; fromStaffId: string | null }[];
  refused: { customerId: string; reason: 'not_found' | TransferRefusal['reason']; message: string; possibleFrom: string | null }[];
}

async function activeStaff(db: Db, tenantId: string, id: string, path: string): Promise<{ id: string; name: string; store_id: string | null }> {
  const row = UUID_PATTERN.test(id)
    ? await db.selectFrom('staff').select(['id', 'name', 'store_id', 'status']).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst()
    : undefined;
  if (!row) throw invalid(path, 'no such staff member', { code: 'unknown_staff', params: {} });
  if (row.status !== 'active') throw invalid(path, `${row.name} has resigned and cannot receive customers`, { code: 'staff_resigned', params: { staff: row.name } });
  return row;
}

/** Moves guide, friendship and open tasks of the listed customers to the new guide, and records each move. */
async function move(db: Db, tenantId: string, moves: { customerId: string; fromStaffId: string | null }[], to: { id: string; name: string }, kind: 'transfer' | 'resignation', reason: string, actor: string, at: Date): Promise<void> {
  if (moves.length === 0) return;
  const ids = moves.map((m) => m.customerId);
  const from = moves.map((m) => m.fromStaffId);
  // Only the guide being replaced is replaced: a resigned guide's friend served by another guide keeps theirs.
  await sql`
    update customers c set guide_id = ${to.id}, updated_at = ${at}
      from unnest(${ids}::uuid[], ${from}::uuid[]) as m(customer_id, staff_id)
     where c.tenant_id = ${tenantId} and c.id = any(${ids}::uuid[]) and c.id = m.customer_id and c.guide_id is not distinct from m.staff_id`.execute(db);
  // The friendship follows the customer (WeCom's transfer): the new guide's contact carries the old one's state.
  await sql`
    insert into customer_contacts (tenant_id, customer_id, staff_id, state, added_at, deleted_at)
    select ${tenantId}, k.customer_id, ${to.id}, k.state, ${at}, null
      from customer_contacts k join unnest(${ids}::uuid[], ${from}::uuid[]) as m(customer_id, staff_id)
        on k.customer_id = m.customer_id and k.staff_id = m.staff_id
     where k.tenant_id = ${tenantId} and k.deleted_at is null
    on conflict (tenant_id, customer_id, staff_id) do update set deleted_at = null`.execute(db);
  await sql`
    update customer_contacts k set deleted_at = ${at}
      from unnest(${ids}::uuid[], ${from}::uuid[]) as m(customer_id, staff_id)
     where k.tenant_id = ${tenantId} and k.customer_id = m.customer_id and k.staff_id = m.staff_id and k.staff_id <> ${to.id} and k.deleted_at is null`.execute(db);
  await sql`
    update guide_tasks t set staff_id = ${to.id}
      from unnest(${ids}::uuid[], ${from}::uuid[]) as m(customer_id, staff_id)
     where t.tenant_id = ${tenantId} and t.customer_id = m.customer_id and t.staff_id = m.staff_id and t.status = 'open'`.execute(db);
  const rowIds = moves.map(() => newId());
  await sql`
    insert into customer_transfers (tenant_id, id, customer_id, from_staff_id, to_staff_id, kind, reason, actor, transferred_at)
    select ${tenantId}, x.id, x.customer_id, x.from_staff, ${to.id}, ${kind}, ${reason}, ${actor}, ${at}
      from unnest(${rowIds}::uuid[], ${ids}::uuid[], ${from}::uuid[]) as x(id, customer_id, from_staff)`.execute(db);
  await sql`
    insert into events (tenant_id, id, event_key, type, customer_id, occurred_at, source, actor, properties)
    select ${tenantId}, x.event_id, 'yuchi:customer_transferred:' || x.id, 'customer_transferred', x.customer_id, ${at}, 'yuchi', ${actor},
           jsonb_build_object('transferId', x.id, 'kind', ${kind}::text, 'fromStaffId', x.from_staff, 'fromStaffName', s.name,
                              'toStaffId', ${to.id}::text, 'toStaffName', ${to.name}::text, 'reason', ${reason}::text)
      from unnest(${moves.map(() => newId())}::uuid[], ${rowIds}::uuid[], ${ids}::uuid[], ${from}::uuid[]) as x(event_id, id, customer_id, from_staff)
      left join staff s on s.tenant_id = ${tenantId} and s.id = x.from_staff`.execute(db);
}

export async function transferCustomers(db: Db, actor: Actor, input: { customerIds: string[]; toStaffId: string; reason: string }, now = new Date()): Promise<TransferResult> {
  const wanted = [...new Set(input.customerIds)];
  return inTransaction(db, async (trx) => {
    const to = await activeStaff(trx, actor.tenantId, input.toStaffId, 'body.toStaffId');
    const valid = wanted.filter((id) => UUID_PATTERN.test(id));
    // Locked, so two transfers of one customer at once cannot both pass the limit.
    const customers = valid.length === 0 ? [] : (await sql<{ id: string; guide_id: string | null }>`
      select id, guide_id from customers where tenant_id = ${actor.tenantId} and id = any(${valid}::uuid[]) and erased_at is null order by id for update`.execute(trx)).rows;
    const history = valid.length === 0 ? [] : (await sql<{ customer_id: string; transferred_at: Date }>`
      select customer_id, transferred_at from customer_transfers
       where tenant_id = ${actor.tenantId} and customer_id = any(${valid}::uuid[]) and kind = 'transfer'
         and transferred_at > ${new Date(now.getTime() - TRANSFER_WINDOW_DAYS * 86_400_000)}`.execute(trx)).rows;
    const guideOf = new Map(customers.map((c) => [c.id, c.guide_id]));
    const result: TransferResult = { transferred: [], refused: [] };
    for (const id of wanted) {
      if (!guideOf.has(id)) {
        result.refused.push({ customerId: id, reason: 'not_found', message: 'no such customer', possibleFrom: null });
        continue;
      }
      const from = guideOf.get(id) ?? null;
      const refusal = transferRefusal(history.filter((h) => h.customer_id === id).map((h) => h.transferred_at), from, to.id, now);
      if (refusal) result.refused.push({ customerId: id, reason: refusal.reason, message: refusal.message, possibleFrom: refusal.reason === 'transfer_limit' ? refusal.possibleFrom : null });
      else result.transferred.push({ customerId: id, fromStaffId: from });
    }
    await move(trx, actor.tenantId, result.transferred, to, 'transfer', input.reason, actorLabel(actor), now);
    return result;
  });
}

/** A guide leaves: marked resigned, and every customer they serve (as guide or as a friend) goes to the successor. */
export async function resignStaff(db: Db, actor: Actor, staffId: string, successorStaffId: string, now = new Date()): Promise<{ inherited: number }> {
  if (staffId === successorStaffId) throw invalid('body.successorStaffId', 'the successor must be someone else', { code: 'successor_is_leaver', params: {} });
  return inTransaction(db, async (trx) => {
    const leaving = UUID_PATTERN.test(staffId)
      ? await trx.selectFrom('staff').select(['id', 'status']).where('tenant_id', '=', actor.tenantId).where('id', '=', staffId).forUpdate().executeTakeFirst()
      : undefined;
    if (!leaving) throw notFound('staff member');
    if (leaving.status === 'resigned') throw new YuchiError('conflict', 'this staff member has already resigned', [{ path: 'id', message: 'already resigned', code: 'already_resigned', params: {} }]);
    const to = await activeStaff(trx, actor.tenantId, successorStaffId, 'body.successorStaffId');
    const customers = await sql<{ id: string }>`
      select id from customers where tenant_id = ${actor.tenantId} and erased_at is null and (guide_id = ${staffId} or id in (
        select customer_id from customer_contacts where tenant_id = ${actor.tenantId} and staff_id = ${staffId} and deleted_at is null))
       order by id for update`.execute(trx);
    const ids = customers.rows.map((c) => c.id);
    await move(trx, actor.tenantId, ids.map((id) => ({ customerId: id, fromStaffId: staffId })), to, 'resignation', 'resigned', actorLabel(actor), now);
    await trx.updateTable('staff').set({ status: 'resigned' }).where('tenant_id', '=', actor.tenantId).where('id', '=', staffId).execute();
    await sql`update guide_tasks set staff_id = ${to.id} where tenant_id = ${actor.tenantId} and staff_id = ${staffId} and status = 'open'`.execute(trx);
    return { inherited: ids.length };
  });
}
