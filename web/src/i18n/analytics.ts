// The analytics pages' texts: 简体中文 first; English must have every key.
export const analyticsZhCN = {
} satisfies Record<string, string>;

export const analyticsEnUS: Record<keyof typeof analyticsZhCN, string> = {
};
