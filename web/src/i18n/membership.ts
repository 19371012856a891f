// The membership pages' texts: 简体中文 first; English must have every key.
export const membershipZhCN = {
};

export const membershipEnUS: Record<keyof typeof membershipZhCN, string> = {
};
