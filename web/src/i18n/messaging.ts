// The messaging pages' texts: 简体中文 first; English must have every key.
export const messagingZhCN = {
};

export const messagingEnUS: Record<keyof typeof messagingZhCN, string> = {
};
