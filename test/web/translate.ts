// The console's t() for tests of its wording, outside React: a key's text in one language with its
// {values} filled; a missing key fails the test rather than showing the key.
import { enUS } from '../../web/src/i18n/en-US.ts';
import { zhCN } from '../../web/src/i18n/zh-CN.ts';

function translator(messages: Record<string, string>) {
  return (key: string, vars: Record<string, string | number> = {}): string => {
    const template = messages[key];
    if (template === undefined) throw new Error(`no text for ${key}`);
    return template.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
  };
}

export const zh = translator(zhCN) as never;
export const en = translator(enUS) as never;
