// The journeys pages' texts: 简体中文 first; English must have every key.
export const journeysZhCN = {
};

export const journeysEnUS: Record<keyof typeof journeysZhCN, string> = {
};
