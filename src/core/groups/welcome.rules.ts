// Group welcome messages (入群欢迎语), pure: the variables a welcome may use, the text a member
// gets, and the text of WeCom's own group welcome material, where WeCom fills in the nickname itself.

export const WELCOME_VARIABLES = ['nickname', 'group', 'store', 'guide'] as const;
export type WelcomeVariable = (typeof WELCOME_VARIABLES)[number];

/** The first variable the text uses that does not exist, or null. */
export function unknownWelcomeVariable(text: string): string | null {
  for (const match of text.matchAll(/\{([^{}]*)\}/g)) {
    const name = match[1] ?? '';
    if (!(WELCOME_VARIABLES as readonly string[]).includes(name)) return name;
  }
  return null;
}

export type WelcomeValues = Record<WelcomeVariable, string>;

export function renderGroupWelcome(text: string, values: WelcomeValues): string {
  return text.replace(/\{(nickname|group|store|guide)\}/g, (_m, name: WelcomeVariable) => values[name]);
}

/**
 * WeCom's group welcome material: %NICKNAME% is WeCom's own placeholder, filled in per joiner; the
 * rest is filled from the group when the welcome is for one group, else with neutral words.
 */
export function wecomWelcomeText(text: string, values: Omit<WelcomeValues, 'nickname'> | null): string {
  return renderGroupWelcome(text, { nickname: '%NICKNAME%', group: values?.group ?? '本群', store: values?.store ?? '门店', guide: values?.guide ?? '群主' });
}
