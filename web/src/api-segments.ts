// The segments (人群) calls of /api/v1, on the shared `call`.
import { call, type CustomerSummary, type Page, type Signal } from './api.ts';

export interface SegmentCondition {
  field: string;
  op: string;
  value?: unknown;
  type?: string;
  withinDays?: number;
  properties?: Record<string, string | number | boolean>;
  salt?: string;
}

export type SegmentNode = { all: SegmentNode[] } | { any: SegmentNode[] } | { not: SegmentNode } | SegmentCondition;

export interface Segment {
  id: string;
  name: string;
  description: string;
  definition: SegmentNode;
  version: number;
  status: 'active' | 'archived';
  size: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface SegmentVersion {
  version: number;
  name: string;
  definition: SegmentNode;
  createdBy: string;
  createdAt: string;
}

export interface SegmentInput {
  name: string;
  description?: string;
  definition: SegmentNode;
}

const id = (value: string): string => encodeURIComponent(value);

export const segmentsApi = {
  list: (opts: Signal = {}) => call<{ items: Segment[] }>('GET', '/segments', opts),
  get: (segmentId: string, opts: Signal = {}) => call<Segment>('GET', `/segments/${id(segmentId)}`, opts),
  preview: (definition: SegmentNode, opts: Signal = {}) =>
    call<{ count: number; sample: CustomerSummary[] }>('POST', '/segments/preview', { ...opts, body: { definition } }),
  create: (input: SegmentInput) => call<Segment>('POST', '/segments', { body: input }),
  update: (segmentId: string, input: Partial<SegmentInput>) => call<Segment>('PATCH', `/segments/${id(segmentId)}`, { body: input }),
  archive: (segmentId: string) => call<null>('DELETE', `/segments/${id(segmentId)}`),
  members: (segmentId: string, query: { page: number; pageSize: number }, opts: Signal = {}) =>
    call<Page<CustomerSummary>>('GET', `/segments/${id(segmentId)}/members`, { ...opts, query }),
  versions: (segmentId: string, opts: Signal = {}) => call<{ items: SegmentVersion[] }>('GET', `/segments/${id(segmentId)}/versions`, opts),
  sizes: (segmentId: string, opts: Signal = {}) => call<{ items: { day: string; size: number }[] }>('GET', `/segments/${id(segmentId)}/sizes`, opts),
  recompute: (segmentId: string) => call<{ segmentId: string; entered: number; exited: number }>('POST', `/segments/${id(segmentId)}/recompute`),
};
