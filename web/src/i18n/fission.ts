// The fission pages' texts: 简体中文 first; English must have every key.
export const fissionZhCN = {
};

export const fissionEnUS: Record<keyof typeof fissionZhCN, string> = {
};
