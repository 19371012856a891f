// The channels pages' texts: 简体中文 first; English must have every key.
export const channelsZhCN = {
};

export const channelsEnUS: Record<keyof typeof channelsZhCN, string> = {
};
