// The acquisition pages' texts: 简体中文 first; English must have every key.
export const acquisitionZhCN = {
};

export const acquisitionEnUS: Record<keyof typeof acquisitionZhCN, string> = {
};
