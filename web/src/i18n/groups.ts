// The groups pages' texts: 简体中文 first; English must have every key.
export const groupsZhCN = {
};

export const groupsEnUS: Record<keyof typeof groupsZhCN, string> = {
};
