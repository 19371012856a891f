// Console logic that needs no browser, typechecked with the console (web/tsconfig.json).
// Every event type Yuchi writes itself, and every standard type, reads as a sentence on the
// customer's timeline in both languages, never as its code.
import { describe, expect, it } from 'vitest';
import { RECORDED_BY_YUCHI, STANDARD_EVENT_TYPES } from '../../src/core/ingest/events.rules.ts';
import { describeEvent } from '../../web/src/pages/customers/timeline-lines.ts';
import { enUS } from '../../web/src/i18n/en-US.ts';
import { zhCN } from '../../web/src/i18n/zh-CN.ts';

// Types written by areas of Yuchi besides those an integration may not send.
const ALSO_WRITTEN = ['coupon_received', 'coupon_redeemed', 'group_buy_joined', 'group_buy_refunded'];

describe('timeline lines', () => {
  const types = [...new Set([...STANDARD_EVENT_TYPES, ...RECORDED_BY_YUCHI, ...ALSO_WRITTEN])];
  for (const [lang, messages] of [['zh-CN', zhCN], ['en-US', enUS]] as const) {
    it(`names every known type in ${lang}`, () => {
      const t = (key: string, vars: Record<string, string | number> = {}): string => {
        const template = (messages as Record<string, string>)[key];
        if (template === undefined) throw new Error(`no text for ${key}`);
        return template.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
      };
      for (const type of types) {
        const line = describeEvent({ id: 'x', type, occurredAt: '2026-05-01T00:00:00Z', receivedAt: '2026-05-01T00:00:00Z', source: 'yuchi', actor: null, properties: {} }, t as never, { staffName: () => undefined, storeName: () => undefined });
        expect(line.text, type).not.toBe(type);
        expect(line.text.trim(), type).not.toBe('');
      }
    });
  }
});
