// Customer list export (CSV / XLSX) with the list's own filter; admins and operators, audited.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import type { CustomerFilter } from '../../core/customers/customers.service.ts';
import { exportCustomers } from '../../core/imports/export.service.ts';
import { actorOf } from '../auth.ts';
import { protectedErrors } from '../schemas.ts';
import { CustomerFilterQuery } from './customers.ts';

export function exportRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/customers/export', {
    config: { permission: 'customers:export' },
    schema: {
      tags: ['customers'],
      summary: 'Export the filtered customer list as CSV or XLSX',
      description: 'Takes the filters of GET /api/v1/customers. CSV is UTF-8 with a BOM (Excel opens Chinese correctly). Headers are Chinese unless lang=en; times are in the tenant time zone, amounts in yuan. Streams any number of rows. Admins and operators only; each export is written to the audit log.',
      querystring: CustomerFilterQuery.extend({
        format: z.enum(['csv', 'xlsx']).default('csv'),
        lang: z.enum(['zh', 'en']).default('zh'),
      }),
      response: { 200: z.any().describe('the file'), ...protectedErrors },
    },
  }, async (request, reply) => {
    const { format, lang, ...filter } = request.query;
    const customerFilter: CustomerFilter = filter;
    const file = await exportCustomers(db, actorOf(request), { format, lang, filter: customerFilter });
    return reply
      .type(file.contentType)
      .header('content-disposition', `attachment; filename="${file.filename}"`)
      .send(file.stream);
  });
}
