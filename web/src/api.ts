// The console's only door to the server: every call and every response shape of /api/v1,
// written once here and imported by the pages.

export type Role = 'admin' | 'operator' | 'guide';
export type Gender = 'male' | 'female' | 'unknown';
export type IdentityKind = 'unionid' | 'openid' | 'external_userid' | 'phone' | 'member_no';
export type OrderChannel = 'pos' | 'miniprogram' | 'ecommerce' | 'group_buy' | 'other';
export type OrderStatus = 'paid' | 'refunded' | 'partially_refunded';
export type StaffTitle = 'guide' | 'manager' | 'advisor';

export interface Me {
  id: string;
  name: string;
  email: string;
  role: Role;
  staffId: string | null;
  tenant: { id: string; slug: string; name: string; timezone: string };
}

export interface Ref {
  id: string;
  name: string;
}

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export interface DashboardSummary {
  range: { from: string; to: string };
  customers: { total: number; withOrders: number; newInRange: number };
  orders: { count: number; gmvFen: number; averageTicketFen: number; buyers: number; repeatBuyers: number };
  gmvByMonth: { month: string; gmvFen: number; orders: number; buyers: number }[];
  topStores: { storeId: string; name: string; gmvFen: number; orders: number; buyers: number }[];
  channels: { channel: string; gmvFen: number; orders: number }[];
}

export interface CustomerSummary {
  id: string;
  name: string;
  gender: Gender;
  phone: string | null;
  memberNo: string | null;
  city: string;
  sourceChannel: string;
  store: Ref | null;
  guide: Ref | null;
  orderCount: number;
  orderDays: number;
  totalSpentFen: number;
  firstOrderAt: string | null;
  lastOrderAt: string | null;
  createdAt: string;
}

export interface CustomerIdentity {
  kind: IdentityKind;
  value: string;
  createdAt: string;
}

export type TagSource = 'manual' | 'rule' | 'form' | 'pretag' | 'import' | 'api' | 'event';
export type ConsentChannel = 'wecom' | 'sms' | 'email' | 'phone' | 'miniprogram';
export const CONSENT_CHANNELS: readonly ConsentChannel[] = ['wecom', 'sms', 'email', 'phone', 'miniprogram'];

/** The customer 360 (GET /customers/:id). */
export interface CustomerDetail extends CustomerSummary {
  birthday: string | null;
  averageTicketFen: number;
  lastActiveAt: string | null;
  identities: CustomerIdentity[];
  attributeSources: Record<string, { source: string; at: string }>;
  tags: { id: string; name: string; color: string; group: Ref; source: TagSource; addedBy: string | null; addedAt: string }[];
  groups: { id: string; chatId: string; name: string; joinedAt: string; leftAt: string | null }[];
  contacts: { staff: Ref; state: string | null; addedAt: string; deletedAt: string | null }[];
  consents: { channel: ConsentChannel; granted: boolean; source: string; updatedAt: string }[];
  /** Present when the id asked for was merged into this profile. */
  mergedFrom?: { id: string; mergedAt: string };
  /** The latest scoring run's layering (RFM cell, stage, tier, P(alive), CLV); null before the first run. */
  scores?: import('./api-scores.ts').ProfileScores | null;
}

export interface TimelineEntry {
  id: string;
  type: string;
  occurredAt: string;
  receivedAt: string;
  source: string;
  actor: string | null;
  properties: Record<string, unknown>;
}

export interface TimelinePage {
  items: TimelineEntry[];
  nextCursor: string | null;
}

/** The customer list's filter; bulk tagging and export take exactly the same one. */
export interface CustomerFilter {
  q?: string;
  storeId?: string;
  guideId?: string;
  /** Holds every one of these tags. */
  tagIds?: string[];
  minSpentFen?: number;
  maxSpentFen?: number;
  lastOrderWithinDays?: number;
  noOrderWithinDays?: number;
}

export type Metric = 'spent_fen' | 'order_count' | 'order_days';
export type Comparison = '>=' | '>' | '<=' | '<' | '=';
export type RuleCondition =
  | { metric: Metric; windowDays?: number; op: Comparison; value: number }
  | { lastOrderWithinDays: number }
  | { noOrderWithinDays: number }
  | { hasTag: string }
  | { identity: IdentityKind }
  | { sourceChannel: string }
  | { storeId: string };
export interface RuleGroup {
  all?: TagRule[];
  any?: TagRule[];
  not?: TagRule;
}
/** The rule of a rule tag, as the server stores it (src/core/tags/tags.rules.ts). */
export type TagRule = RuleGroup | RuleCondition;

export interface TagView {
  id: string;
  groupId: string;
  groupName: string;
  name: string;
  code: string | null;
  color: string;
  kind: 'manual' | 'rule';
  rule: TagRule | null;
  customerCount: number;
  createdAt: string;
}

export interface TagGroup {
  id: string;
  name: string;
  description: string;
  exclusive: boolean;
  sort: number;
  createdAt: string;
  tags: TagView[];
}

export interface TagInput {
  groupId: string;
  name: string;
  code?: string | null;
  color?: string;
  /** A TagRule; the editor's JSON mode sends what was typed, and the server checks it. */
  rule?: unknown;
}

export interface PreTag {
  kind: IdentityKind;
  value: string;
  tagId: string;
  tagName: string;
  createdBy: string | null;
  createdAt: string;
  appliedAt: string | null;
  appliedCustomerId: string | null;
}

export type QuestionType = 'single' | 'multi' | 'text';
export type FormStatus = 'draft' | 'published' | 'closed';
export interface FormOption {
  code: string;
  label: string;
  tagId?: string;
}
export interface FormQuestion {
  id: string;
  text: string;
  type: QuestionType;
  options: FormOption[];
}
export interface Questionnaire {
  id: string;
  name: string;
  description: string;
  status: FormStatus;
  questions: FormQuestion[];
  submissionCount: number;
  createdAt: string;
}
export interface QuestionnaireInput {
  name: string;
  description?: string;
  status?: FormStatus;
  questions: FormQuestion[];
}
export type Answer = string | string[];
export interface FormResults {
  formId: string;
  submissions: number;
  questions: {
    id: string;
    text: string;
    type: QuestionType;
    answered: number;
    options: { code: string; label: string; tagId: string | null; count: number; share: number }[];
  }[];
  recent: { id: string; customerId: string | null; customerName: string | null; submittedAt: string; answers: Record<string, Answer> }[];
}

export type ImportKind = 'customers' | 'orders';
export interface RowError {
  line: number;
  column: string;
  /** In English; the console shows `code` with `params` in its own language (pages/imports/reasons.ts). */
  reason: string;
  code?: string;
  params?: Record<string, string | number>;
}
export interface ImportJob {
  id: string;
  kind: ImportKind;
  fileName: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  allOrNothing: boolean;
  bytesTotal: number;
  bytesRead: number;
  rows: number;
  rowsImported: number;
  rowsRejected: number;
  created: number;
  updated: number;
  duplicates: number;
  stored: boolean;
  rowsPerSecond: number;
  firstErrors: RowError[];
  error: string | null;
  /** Why it failed as a code and its values (a server before 0043 sends none). */
  errorWorded?: { code: string; params: Record<string, string | number | null> } | null;
  createdBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface OrderItem {
  lineNo: number;
  sku: string;
  name: string;
  quantity: number;
  unitPriceFen: number;
  amountFen: number;
}

export interface Order {
  id: string;
  orderNo: string;
  customer: Ref | null;
  store: Ref | null;
  staff: Ref | null;
  channel: OrderChannel;
  status: OrderStatus;
  totalFen: number;
  discountFen: number;
  paidFen: number;
  refundedFen: number;
  orderedAt: string;
  items: OrderItem[];
}

export interface OrderQuery {
  page: number;
  pageSize: number;
  /** Calendar dates in the tenant's zone, both inclusive. */
  from?: string;
  to?: string;
  storeId?: string;
  channel?: OrderChannel;
  status?: OrderStatus;
  orderNo?: string;
}

export interface Store {
  id: string;
  code: string;
  name: string;
  city: string;
  district: string;
  address: string;
  latitude: number | null;
  longitude: number | null;
  opensAt: string | null;
  closesAt: string | null;
  status: 'open' | 'closed';
  staffCount: number;
  customerCount: number;
}

export interface StaffMember {
  id: string;
  name: string;
  store: Ref | null;
  title: StaffTitle;
  wecomUserId: string | null;
  phone: string | null;
  status: 'active' | 'resigned';
  customerCount: number;
}

/** A hand-over of customers to another guide: who moved, and who did not and why. */
export interface TransferResult {
  transferred: { customerId: string; fromStaffId: string | null }[];
  refused: { customerId: string; reason: 'not_found' | 'already_owner' | 'transfer_limit'; message: string; possibleFrom: string | null }[];
}

export interface ErrorDetail {
  path: string;
  message: string;
  /** A finer code and its values, for refusals the console words itself. */
  code?: string;
  params?: Record<string, string | number | null>;
}

/** A non-2xx answer, carrying the server's error code so pages can react to 401/404. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Query = Record<string, string | number | string[] | null | undefined>;
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

// Set by the session layer: a 401 on a data call means the session ended elsewhere.
let onUnauthenticated: (() => void) | undefined;
export function whenUnauthenticated(handler: (() => void) | undefined): void {
  onUnauthenticated = handler;
}

function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value)) {
      if (value.length > 0) params.set(key, value.join(','));
    } else if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function detailOf(d: Record<string, unknown>): ErrorDetail {
  const detail: ErrorDetail = { path: String(d.path ?? ''), message: String(d.message ?? '') };
  if (typeof d.code === 'string') detail.code = d.code;
  if (isRecord(d.params)) {
    const params: Record<string, string | number | null> = {};
    for (const [key, value] of Object.entries(d.params)) {
      if (typeof value === 'string' || typeof value === 'number' || value === null) params[key] = value;
    }
    detail.params = params;
  }
  return detail;
}

function errorOf(status: number, body: unknown): ApiError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const code = typeof error?.code === 'string' ? error.code : `http_${status}`;
  const message = typeof error?.message === 'string' ? error.message : `HTTP ${status}`;
  const details = Array.isArray(error?.details)
    ? error.details.filter(isRecord).map(detailOf)
    : [];
  return new ApiError(status, code, message, details);
}

/** One call to /api/v1; area modules (api-<area>.ts) build their calls on it. */
export async function call<T>(method: Method, path: string, options: { query?: Query; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (options.signal) init.signal = options.signal;
  if (options.body !== undefined) {
    init.headers = { accept: 'application/json', 'content-type': 'application/json' };
    init.body = JSON.stringify(options.body);
  }
  const response = await fetch(withQuery(`/api/v1${path}`, options.query), init);
  const text = await response.text();
  const body: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const error = errorOf(response.status, body);
    if (response.status === 401 && !path.startsWith('/auth/')) onUnauthenticated?.();
    throw error;
  }
  // The contract above is the server's promise for this path; the server validates its output.
  return body as T;
}

export type Signal = { signal?: AbortSignal };

/** A path under /api/v1 with its query, for links the browser follows itself (downloads). */
export function apiUrl(path: string, query: Query = {}): string {
  return withQuery(`/api/v1${path}`, query);
}

/**
 * Uploads a file as the raw request body with XMLHttpRequest, the one browser API that reports
 * upload progress (fetch does not).
 */
function upload<T>(path: string, query: Query, file: Blob, onProgress: (sent: number, total: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', withQuery(`/api/v1${path}`, query));
    xhr.setRequestHeader('content-type', 'text/csv');
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    xhr.onerror = () => reject(new ApiError(0, 'network', 'network error'));
    xhr.onload = () => {
      let body: unknown;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
      else {
        if (xhr.status === 401) onUnauthenticated?.();
        reject(errorOf(xhr.status, body));
      }
    };
    xhr.send(file);
  });
}

const id = (value: string): string => encodeURIComponent(value);

export const api = {
  login: (input: { tenant: string; email: string; password: string }) => call<{ user: Me }>('POST', '/auth/login', { body: input }),
  logout: () => call<undefined>('POST', '/auth/logout'),
  me: (opts: Signal = {}) => call<{ user: Me }>('GET', '/auth/me', opts),

  dashboard: (query: { from?: string; to?: string; storeId?: string }, opts: Signal = {}) =>
    call<DashboardSummary>('GET', '/dashboard/summary', { ...opts, query }),

  customers: (query: CustomerFilter & { page: number; pageSize: number }, opts: Signal = {}) =>
    call<Page<CustomerSummary>>('GET', '/customers', { ...opts, query: { ...query } }),
  customer: (customerId: string, opts: Signal = {}) => call<CustomerDetail>('GET', `/customers/${id(customerId)}`, opts),
  orders: (query: OrderQuery, opts: Signal = {}) => call<Page<Order>>('GET', '/orders', { ...opts, query: { ...query } }),
  customerOrders: (customerId: string, query: { page: number; pageSize: number }, opts: Signal = {}) =>
    call<Page<Order>>('GET', `/customers/${id(customerId)}/orders`, { ...opts, query }),
  timeline: (customerId: string, query: { before?: string; limit: number }, opts: Signal = {}) =>
    call<TimelinePage>('GET', `/customers/${id(customerId)}/timeline`, { ...opts, query }),
  tagCustomer: (customerId: string, tagIds: string[]) => call<unknown>('POST', `/customers/${id(customerId)}/tags`, { body: { tagIds } }),
  untagCustomer: (customerId: string, tagId: string) => call<unknown>('DELETE', `/customers/${id(customerId)}/tags/${id(tagId)}`),
  bulkTag: (input: { filter: CustomerFilter; add?: string[]; remove?: string[] }) =>
    call<{ matched: number; changed: number }>('POST', '/customers/tags/bulk', { body: input }),
  setConsent: (customerId: string, channel: ConsentChannel, input: { granted: boolean; source: string }) =>
    call<{ changed: boolean }>('PUT', `/customers/${id(customerId)}/consents/${channel}`, { body: input }),
  personalData: (customerId: string) => call<Record<string, unknown>>('GET', `/customers/${id(customerId)}/personal-data`),
  eraseCustomer: (customerId: string) => call<{ customerId: string; erasedAt: string; alreadyErased: boolean }>('DELETE', `/customers/${id(customerId)}`),

  tagGroups: (opts: Signal = {}) => call<{ items: TagGroup[] }>('GET', '/tag-groups', opts),
  createTagGroup: (input: { name: string; description?: string; exclusive?: boolean }) => call<TagGroup>('POST', '/tag-groups', { body: input }),
  updateTagGroup: (groupId: string, input: { name?: string; description?: string; exclusive?: boolean }) =>
    call<TagGroup>('PATCH', `/tag-groups/${id(groupId)}`, { body: input }),
  deleteTagGroup: (groupId: string) => call<undefined>('DELETE', `/tag-groups/${id(groupId)}`),
  createTag: (input: TagInput) => call<TagView>('POST', '/tags', { body: input }),
  updateTag: (tagId: string, input: Partial<TagInput>) => call<TagView>('PATCH', `/tags/${id(tagId)}`, { body: input }),
  deleteTag: (tagId: string) => call<undefined>('DELETE', `/tags/${id(tagId)}`),
  evaluateTag: (tagId: string) => call<{ tagId: string; added: number; removed: number }>('POST', `/tags/${id(tagId)}/evaluate`),
  createPreTags: (input: { kind: IdentityKind; values: string[]; tagIds: string[] }) =>
    call<{ created: number; applied: number }>('POST', '/pre-tags', { body: input }),
  preTags: (query: { page: number; pageSize: number }, opts: Signal = {}) => call<Page<PreTag>>('GET', '/pre-tags', { ...opts, query }),

  forms: (opts: Signal = {}) => call<{ items: Questionnaire[] }>('GET', '/forms', opts),
  form: (formId: string, opts: Signal = {}) => call<Questionnaire>('GET', `/forms/${id(formId)}`, opts),
  createForm: (input: QuestionnaireInput) => call<Questionnaire>('POST', '/forms', { body: input }),
  updateForm: (formId: string, input: Partial<QuestionnaireInput>) => call<Questionnaire>('PATCH', `/forms/${id(formId)}`, { body: input }),
  formResults: (formId: string, opts: Signal = {}) => call<FormResults>('GET', `/forms/${id(formId)}/results`, { ...opts, query: { recent: 20 } }),

  imports: (opts: Signal = {}) => call<{ items: ImportJob[] }>('GET', '/imports', opts),
  importJob: (jobId: string, opts: Signal = {}) => call<ImportJob>('GET', `/imports/${id(jobId)}`, opts),
  startImport: (input: { kind: ImportKind; allOrNothing: boolean; file: File }, onProgress: (sent: number, total: number) => void) =>
    upload<{ job: ImportJob }>('/imports', { kind: input.kind, allOrNothing: String(input.allOrNothing), fileName: input.file.name }, input.file, onProgress),

  stores: (opts: Signal = {}) => call<{ items: Store[] }>('GET', '/stores', opts),
  staff: (query: { storeId?: string } = {}, opts: Signal = {}) => call<{ items: StaffMember[] }>('GET', '/staff', { ...opts, query }),
  transferCustomers: (input: { customerIds: string[]; toStaffId: string; reason: string }) => call<TransferResult>('POST', '/customers/transfer', { body: input }),
  resignStaff: (staffId: string, successorStaffId: string) => call<{ inherited: number }>('POST', `/staff/${id(staffId)}/resign`, { body: { successorStaffId } }),
};
