// The segments pages' texts: 简体中文 first; English must have every key.
export const segmentsZhCN = {
} satisfies Record<string, string>;

export const segmentsEnUS: Record<keyof typeof segmentsZhCN, string> = {
};
