// Offset paging shared by list endpoints: page numbers for the console, a total for its pager.
export interface PageRequest {
  page: number;
  pageSize: number;
}

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export const MAX_PAGE_SIZE = 200;

export function offsetOf(p: PageRequest): number {
  return (p.page - 1) * p.pageSize;
}
