// The scores pages' texts: 简体中文 first; English must have every key.
export const scoresZhCN = {
} satisfies Record<string, string>;

export const scoresEnUS: Record<keyof typeof scoresZhCN, string> = {
};
