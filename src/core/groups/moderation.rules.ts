// Keyword auto-reply and moderation, pure: which rules a group message triggers, whether a pattern
// may be stored at all, and what a member's message says about links. A regex runs on every group
// message at ingestion, so one that can backtrack catastrophically (safe-regex2's star height
// check) or is long is refused when it is saved, never found out while a batch waits.
import safeRegex from 'safe-regex2';
import type { GroupRuleAction, GroupRuleKind, GroupRuleMatch } from '../../db/schema.ts';

export const MAX_PATTERN_LENGTH = 200;
/** Longest text matched against rules; a longer message is judged on its beginning. */
export const MAX_MATCHED_TEXT = 2000;

export interface GroupRule {
  id: string;
  name: string;
  groupId: string | null;
  kind: GroupRuleKind;
  match: GroupRuleMatch;
  pattern: string;
  replyTemplate: string;
  action: GroupRuleAction;
}

/** Why a rule is refused: a code the console words itself, and the API's sentence. */
export interface RuleProblem {
  code: 'empty' | 'too_long' | 'invalid_regex' | 'slow_regex' | 'auto_reply_replies' | 'moderation_acts' | 'any_link_for_links';
  message: string;
  params?: Record<string, string | number>;
}

/** Why a pattern is refused, or null when it may be saved. */
export function patternProblem(match: GroupRuleMatch, pattern: string): RuleProblem | null {
  if (match === 'any_link') return null;
  if (pattern.trim() === '') return { code: 'empty', message: 'must not be empty' };
  if (pattern.length > MAX_PATTERN_LENGTH) return { code: 'too_long', message: `must be at most ${MAX_PATTERN_LENGTH} characters`, params: { max: MAX_PATTERN_LENGTH } };
  if (match === 'keyword') return null;
  try {
    new RegExp(pattern, 'iu');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { code: 'invalid_regex', message: `is not a valid regular expression (${reason})`, params: { reason } };
  }
  // safe-regex2 parses without the u flag: a pattern only valid with it is judged as written.
  let safe: boolean;
  try {
    safe = safeRegex(pattern);
  } catch {
    safe = false;
  }
  if (!safe) return { code: 'slow_regex', message: 'could take exponential time on some messages (nested or overlapping repetition); simplify it' };
  return null;
}

/** Which kinds of rule may take which actions: replies answer, banned words and links flag or remove. */
export function actionProblem(kind: GroupRuleKind, action: GroupRuleAction, match: GroupRuleMatch): RuleProblem | null {
  if (kind === 'auto_reply' && action !== 'reply') return { code: 'auto_reply_replies', message: 'an auto-reply rule replies' };
  if (kind !== 'auto_reply' && action === 'reply') return { code: 'moderation_acts', message: 'a moderation rule flags or removes' };
  if (match === 'any_link' && kind !== 'link') return { code: 'any_link_for_links', message: 'any_link belongs to link rules' };
  return null;
}

const LINK = /(?:https?:\/\/|www\.)[^\s]+|\b[a-z0-9-]+\.(?:com|cn|net|top|xyz|cc|vip|shop)\b/iu;

export function hasLink(text: string): boolean {
  return LINK.test(text.slice(0, MAX_MATCHED_TEXT));
}

export type CompiledRule = GroupRule & { test: (text: string) => boolean };

export function compileRule(rule: GroupRule): CompiledRule {
  if (rule.match === 'any_link') return { ...rule, test: hasLink };
  if (rule.match === 'keyword') {
    const words = rule.pattern.split(/[,，|\s]+/u).map((w) => w.trim().toLowerCase()).filter((w) => w !== '');
    return { ...rule, test: (text) => { const t = text.toLowerCase(); return words.some((w) => t.includes(w)); } };
  }
  const re = new RegExp(rule.pattern, 'iu');
  return { ...rule, test: (text) => re.test(text) };
}

export interface Judgement {
  flagged: boolean;
  /** The rule that asks the owner to remove the sender, if any. */
  remove: CompiledRule | null;
  /** Moderation rules that matched (flag or remove). */
  moderated: CompiledRule[];
  /** The first auto-reply that matched (one answer per message). */
  reply: CompiledRule | null;
}

/**
 * Judges a member's message in a group. Group rules come before tenant rules; staff messages are
 * never moderated (the caller does not ask).
 */
export function judgeMessage(rules: readonly CompiledRule[], groupId: string, text: string): Judgement {
  const t = text.slice(0, MAX_MATCHED_TEXT);
  const applicable = rules.filter((r) => r.groupId === null || r.groupId === groupId)
    .sort((a, b) => Number(a.groupId === null) - Number(b.groupId === null));
  const moderated = applicable.filter((r) => r.kind !== 'auto_reply' && r.test(t));
  const reply = moderated.length > 0 ? null : applicable.find((r) => r.kind === 'auto_reply' && r.test(t)) ?? null;
  return { flagged: moderated.length > 0, remove: moderated.find((r) => r.action === 'remove') ?? null, moderated, reply };
}

/** Fills {nickname} and {group} in a reply template. */
export function fillTemplate(template: string, values: { nickname: string; group: string }): string {
  return template.replaceAll('{nickname}', values.nickname).replaceAll('{group}', values.group);
}

/** The next group of a series: "福田鲜果群" → "福田鲜果 2 群", "福田鲜果 2 群" → "福田鲜果 3 群". */
export function nextGroupName(name: string, sequence: number): string {
  const base = name.replace(/\s*\d+\s*群$/u, '').replace(/群$/u, '').trim();
  return `${base} ${sequence} 群`;
}
