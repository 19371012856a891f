// Profile attributes (name, gender, birthday, city) arrive from many places: the console, a POS,
// an import, WeCom, the mini-program, any integration. When two disagree the rule is:
//
//   the most recent value from the most trusted source wins.
//
// Sources are ranked by trust: a person editing in the console (manual) 4 > pos / import 3 >
// wecom / miniprogram 2 > api and anything else 1. An incoming value replaces the held one when its
// source is more trusted, or equally trusted and at least as recent. A value with no recorded
// source (entered before sources were kept) counts as trust 0, so anything replaces it.
// `customers.attribute_sources[name] = { source, at }` records where each held value came from.
import type { Gender } from '../../db/schema.ts';

export type AttributeName = 'name' | 'gender' | 'birthday' | 'city';
export const ATTRIBUTE_NAMES: readonly AttributeName[] = ['name', 'gender', 'birthday', 'city'];

export interface AttributeValues {
  name: string;
  gender: Gender;
  birthday: string | null;
  city: string;
}

export interface AttributeSource {
  source: string;
  /** ISO-8601 instant the value was true at (the event's time, not the time it reached us). */
  at: string;
}

export type AttributeSources = Partial<Record<string, AttributeSource>>;

export interface AttributeUpdate {
  values: Partial<AttributeValues>;
  source: string;
  at: Date;
}

const TRUST: Record<string, number> = {
  manual: 4, console: 4, operator: 4,
  pos: 3, import: 3,
  wecom: 2, miniprogram: 2,
};

export function trustOf(source: string): number {
  return TRUST[source] ?? 1;
}

/** Whether an incoming value replaces the held one. */
export function replaces(incoming: AttributeSource, held: AttributeSource | undefined): boolean {
  if (!held) return true;
  const a = trustOf(incoming.source);
  const b = trustOf(held.source);
  if (a !== b) return a > b;
  return Date.parse(incoming.at) >= Date.parse(held.at);
}

/**
 * Folds updates (in any order) into what a profile holds. Returns only the attributes whose value
 * or source changed, and the sources to store.
 */
export function applyAttributeUpdates(
  current: AttributeValues,
  sources: AttributeSources,
  updates: AttributeUpdate[],
): { changed: Partial<AttributeValues>; sources: AttributeSources; touched: boolean } {
  const values: AttributeValues = { ...current };
  const held: AttributeSources = { ...sources };
  let touched = false;
  for (const update of updates) {
    const incoming: AttributeSource = { source: update.source, at: update.at.toISOString() };
    for (const name of ATTRIBUTE_NAMES) {
      if (!(name in update.values)) continue;
      const value = update.values[name];
      if (value === undefined) continue;
      if (!replaces(incoming, held[name])) continue;
      setValue(values, name, value);
      held[name] = incoming;
      touched = true;
    }
  }
  const changed: Partial<AttributeValues> = {};
  for (const name of ATTRIBUTE_NAMES) {
    if (values[name] !== current[name]) setValue(changed, name, values[name]);
  }
  return { changed, sources: held, touched };
}

/**
 * The attributes of a merged profile: per attribute, the value the rule prefers. A value held
 * without a source is kept only when the other side holds nothing.
 */
export function mergeAttributes(
  survivor: { values: AttributeValues; sources: AttributeSources },
  merged: { values: AttributeValues; sources: AttributeSources },
): { values: AttributeValues; sources: AttributeSources } {
  const values: AttributeValues = { ...survivor.values };
  const sources: AttributeSources = { ...survivor.sources };
  for (const name of ATTRIBUTE_NAMES) {
    const theirs = merged.values[name];
    if (isEmpty(theirs)) continue;
    const theirSource = merged.sources[name];
    const take = isEmpty(values[name])
      || (theirSource !== undefined && replaces(theirSource, sources[name]));
    if (!take) continue;
    setValue(values, name, theirs);
    if (theirSource) sources[name] = theirSource;
  }
  return { values, sources };
}

function isEmpty(value: string | null): boolean {
  return value === null || value === '' || value === 'unknown';
}

function setValue(target: Partial<AttributeValues>, name: AttributeName, value: string | null): void {
  switch (name) {
    case 'name': target.name = value ?? ''; break;
    case 'city': target.city = value ?? ''; break;
    case 'birthday': target.birthday = value; break;
    case 'gender': target.gender = value === 'male' || value === 'female' ? value : 'unknown'; break;
  }
}
