// Exports the customer list, with the list's own filter, as CSV (UTF-8 with a BOM, so Excel reads
// Chinese) or XLSX. Rows are read in keyset pages (created_at, id), never by offset, and written
// as they come: a million customers stream in bounded memory. Each export is audited.
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { sql } from 'kysely';
import type { Db } from '../../db/connect.ts';
import type { Gender } from '../../db/schema.ts';
import type { Actor } from '../access/access.rules.ts';
import { matchingCustomerIds, type CustomerFilter } from '../customers/customers.service.ts';
import { newId } from '../ids.ts';
import { actorLabel } from '../tags/tags.rules.ts';
import { formatYuan } from './fields.rules.ts';

export type ExportFormat = 'csv' | 'xlsx';
export type ExportLanguage = 'zh' | 'en';

export interface ExportedCustomer {
  id: string;
  name: string;
  phone: string | null;
  memberNo: string | null;
  gender: Gender;
  city: string;
  sourceChannel: string;
  store: string | null;
  guide: string | null;
  orderCount: number;
  orderDays: number;
  totalSpentFen: number;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
  createdAt: Date;
}

type Cell = string | number | null;

interface Column {
  zh: string;
  en: string;
  value: (c: ExportedCustomer, f: Formatters) => Cell;
}

interface Formatters {
  time: (d: Date | null) => string;
  gender: (g: Gender) => string;
  /** Yuan: exact text in CSV, a number in XLSX. */
  yuan: (fen: number) => Cell;
}

// Chinese headers are the import's own (手机号, 姓名 ...), so an exported file can be imported back.
export const EXPORT_COLUMNS: readonly Column[] = [
  { zh: '客户ID', en: 'customer_id', value: (c) => c.id },
  { zh: '姓名', en: 'name', value: (c) => c.name },
  { zh: '手机号', en: 'phone', value: (c) => c.phone },
  { zh: '会员号', en: 'member_no', value: (c) => c.memberNo },
  { zh: '性别', en: 'gender', value: (c, f) => f.gender(c.gender) },
  { zh: '城市', en: 'city', value: (c) => c.city },
  { zh: '来源渠道', en: 'source_channel', value: (c) => c.sourceChannel },
  { zh: '门店', en: 'store', value: (c) => c.store },
  { zh: '导购', en: 'guide', value: (c) => c.guide },
  { zh: '订单数', en: 'order_count', value: (c) => c.orderCount },
  { zh: '消费天数', en: 'order_days', value: (c) => c.orderDays },
  { zh: '累计消费(元)', en: 'total_spent_yuan', value: (c, f) => f.yuan(c.totalSpentFen) },
  { zh: '首次下单时间', en: 'first_order_at', value: (c, f) => f.time(c.firstOrderAt) },
  { zh: '最近下单时间', en: 'last_order_at', value: (c, f) => f.time(c.lastOrderAt) },
  { zh: '创建时间', en: 'created_at', value: (c, f) => f.time(c.createdAt) },
];

const GENDER: Record<ExportLanguage, Record<Gender, string>> = {
  zh: { male: '男', female: '女', unknown: '未知' },
  en: { male: 'male', female: 'female', unknown: 'unknown' },
};

/** Wall-clock time in the tenant's zone, as the import reads it back: YYYY-MM-DD HH:mm:ss. */
export function zoneTimeFormatter(timeZone: string): (d: Date | null) => string {
  const format = new Intl.DateTimeFormat('sv-SE', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  });
  return (d) => (d ? format.format(d) : '');
}

const PAGE = 2_000;

interface Cursor {
  createdAt: string;
  id: string;
}

interface Page {
  customers: ExportedCustomer[];
  cursor: Cursor | null;
}

/** One keyset page of the list: the customers after `after` in list order (newest first). */
async function pageAfter(db: Db, actor: Actor, filter: CustomerFilter, after: Cursor | null, pageSize: number): Promise<Page> {
  let q = matchingCustomerIds(db, actor, filter);
  if (after) q = q.where(sql<boolean>`(c.created_at, c.id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`);
  const rows = await q
    .leftJoin('stores as s', (j) => j.onRef('s.tenant_id', '=', 'c.tenant_id').onRef('s.id', '=', 'c.store_id'))
    .leftJoin('staff as g', (j) => j.onRef('g.tenant_id', '=', 'c.tenant_id').onRef('g.id', '=', 'c.guide_id'))
    .select([
      'c.name', 'c.gender', 'c.city', 'c.source_channel', 's.name as store_name', 'g.name as guide_name',
      'c.order_count', 'c.order_days', 'c.total_spent_fen', 'c.first_order_at', 'c.last_order_at', 'c.created_at',
      sql<string | null>`(select value from customer_identities i where i.tenant_id = c.tenant_id and i.customer_id = c.id and i.kind = 'phone' order by created_at limit 1)`.as('phone'),
      sql<string | null>`(select value from customer_identities i where i.tenant_id = c.tenant_id and i.customer_id = c.id and i.kind = 'member_no' order by created_at limit 1)`.as('member_no'),
      // The cursor keeps PostgreSQL's microseconds, which a JS Date would round away.
      sql<string>`c.created_at::text`.as('cursor_at'),
    ])
    .orderBy('c.created_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(pageSize)
    .execute();
  const last = rows[rows.length - 1];
  const customers = rows.map((r): ExportedCustomer => ({
    id: r.id, name: r.name, phone: r.phone, memberNo: r.member_no, gender: r.gender, city: r.city, sourceChannel: r.source_channel,
    store: r.store_name, guide: r.guide_name, orderCount: r.order_count, orderDays: r.order_days, totalSpentFen: r.total_spent_fen,
    firstOrderAt: r.first_order_at, lastOrderAt: r.last_order_at, createdAt: r.created_at,
  }));
  return { customers, cursor: last && rows.length === pageSize ? { createdAt: last.cursor_at, id: last.id } : null };
}

/**
 * The customers the list shows for a filter, newest first, a keyset page at a time. The next
 * page is read while the caller writes the current one.
 */
export async function* customerPages(db: Db, actor: Actor, filter: CustomerFilter, pageSize = PAGE): AsyncGenerator<ExportedCustomer[]> {
  let next: Promise<Page> | null = pageAfter(db, actor, filter, null, pageSize);
  while (next) {
    const page: Page = await next;
    next = page.cursor ? pageAfter(db, actor, filter, page.cursor, pageSize) : null;
    // A reader that stops early must not leave the read-ahead's failure unhandled.
    next?.catch(() => undefined);
    if (page.customers.length > 0) yield page.customers;
  }
}

const csvField = (cell: Cell): string => {
  const text = cell === null ? '' : String(cell);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export interface ExportRequest {
  format: ExportFormat;
  lang: ExportLanguage;
  filter: CustomerFilter;
}

export interface CustomerExport {
  stream: Readable;
  contentType: string;
  filename: string;
}

/**
 * Starts an export. Rows are read only as fast as the reader takes them; when the stream ends
 * (or the reader goes away) the export is written to the audit log with its row count.
 */
export async function exportCustomers(db: Db, actor: Actor, request: ExportRequest, now = new Date()): Promise<CustomerExport> {
  const formatters = (yuan: Formatters['yuan']): Formatters => ({ time: zoneTimeFormatter(actor.timezone), gender: (g) => GENDER[request.lang][g], yuan });
  const header = EXPORT_COLUMNS.map((c) => c[request.lang]);
  const day = zoneTimeFormatter(actor.timezone)(now).slice(0, 10).replace(/-/g, '');
  let rows = 0;
  let completed = false;
  const audit = async (): Promise<void> => {
    await db.insertInto('audit_log').values({
      tenant_id: actor.tenantId, id: newId(), actor: actorLabel(actor), action: 'customers.export', target_type: 'customers', target_id: null,
      details: JSON.stringify({ format: request.format, lang: request.lang, filter: request.filter, rows, completed }),
    }).execute();
  };

  if (request.format === 'csv') {
    const f = formatters(formatYuan);
    async function* lines(): AsyncGenerator<string> {
      try {
        yield '\uFEFF' + header.map(csvField).join(',') + '\r\n';
        for await (const page of customerPages(db, actor, request.filter)) {
          rows += page.length;
          yield page.map((c) => EXPORT_COLUMNS.map((col) => csvField(col.value(c, f))).join(',') + '\r\n').join('');
        }
        completed = true;
      } finally {
        await audit();
      }
    }
    return { stream: Readable.from(lines()), contentType: 'text/csv; charset=utf-8', filename: `customers-${day}.csv` };
  }

  const { default: ExcelJS } = await import('exceljs');
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
  const sheet = workbook.addWorksheet(request.lang === 'zh' ? '客户' : 'customers');
  const f = formatters((fen) => fen / 100);
  const produce = async (): Promise<void> => {
    try {
      sheet.addRow(header).commit();
      for await (const page of customerPages(db, actor, request.filter)) {
        if (out.destroyed) return;
        for (const c of page) sheet.addRow(EXPORT_COLUMNS.map((col) => col.value(c, f))).commit();
        rows += page.length;
        // Bounded memory: wait while the reader is behind.
        if (out.writableNeedDrain) await Promise.race([once(out, 'drain'), once(out, 'close')]);
      }
      sheet.commit();
      await workbook.commit();
      completed = true;
    } finally {
      await audit();
    }
  };
  produce().catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return { stream: out, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', filename: `customers-${day}.xlsx` };
}
