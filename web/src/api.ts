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

export interface CustomerDetail extends CustomerSummary {
  birthday: string | null;
  averageTicketFen: number;
  identities: CustomerIdentity[];
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

export interface ErrorDetail {
  path: string;
  message: string;
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

type Query = Record<string, string | number | null | undefined>;

// Set by the session layer: a 401 on a data call means the session ended elsewhere.
let onUnauthenticated: (() => void) | undefined;
export function whenUnauthenticated(handler: (() => void) | undefined): void {
  onUnauthenticated = handler;
}

function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function errorOf(status: number, body: unknown): ApiError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const code = typeof error?.code === 'string' ? error.code : `http_${status}`;
  const message = typeof error?.message === 'string' ? error.message : `HTTP ${status}`;
  const details = Array.isArray(error?.details)
    ? error.details.filter(isRecord).map((d) => ({ path: String(d.path ?? ''), message: String(d.message ?? '') }))
    : [];
  return new ApiError(status, code, message, details);
}

async function call<T>(method: 'GET' | 'POST', path: string, options: { query?: Query; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
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

type Signal = { signal?: AbortSignal };

export const api = {
  login: (input: { tenant: string; email: string; password: string }) => call<{ user: Me }>('POST', '/auth/login', { body: input }),
  logout: () => call<undefined>('POST', '/auth/logout'),
  me: (opts: Signal = {}) => call<{ user: Me }>('GET', '/auth/me', opts),

  dashboard: (query: { from?: string; to?: string; storeId?: string }, opts: Signal = {}) =>
    call<DashboardSummary>('GET', '/dashboard/summary', { ...opts, query }),

  customers: (query: { q?: string; storeId?: string; guideId?: string; page: number; pageSize: number }, opts: Signal = {}) =>
    call<Page<CustomerSummary>>('GET', '/customers', { ...opts, query }),
  customer: (id: string, opts: Signal = {}) => call<CustomerDetail>('GET', `/customers/${encodeURIComponent(id)}`, opts),
  customerOrders: (id: string, query: { page: number; pageSize: number }, opts: Signal = {}) =>
    call<Page<Order>>('GET', `/customers/${encodeURIComponent(id)}/orders`, { ...opts, query }),

  stores: (opts: Signal = {}) => call<{ items: Store[] }>('GET', '/stores', opts),
  staff: (query: { storeId?: string } = {}, opts: Signal = {}) => call<{ items: StaffMember[] }>('GET', '/staff', { ...opts, query }),
};
