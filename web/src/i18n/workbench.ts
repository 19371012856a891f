// The workbench pages' texts: 简体中文 first; English must have every key.
export const workbenchZhCN = {
};

export const workbenchEnUS: Record<keyof typeof workbenchZhCN, string> = {
};
