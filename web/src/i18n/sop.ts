// The sop pages' texts: 简体中文 first; English must have every key.
export const sopZhCN = {
};

export const sopEnUS: Record<keyof typeof sopZhCN, string> = {
};
