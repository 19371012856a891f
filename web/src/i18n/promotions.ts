// The promotions pages' texts: 简体中文 first; English must have every key.
export const promotionsZhCN = {
} satisfies Record<string, string>;

export const promotionsEnUS: Record<keyof typeof promotionsZhCN, string> = {
};
