// Group health (seed 003): a group is a 社群 only while members talk to each other. Each group's week
// is classified as
//   价值群 value        — members active and answering each other (mesh-like);
//   鸡肋群 chicken_rib  — a silent majority that does not leave (they mute it);
//   死亡群 dead         — next to no activity at all;
//   垃圾群 spam         — links, ads and banned words from members dominate.
// and its shape as mesh (members answer members) or hub-and-spoke (the owner talks, members listen).
// Every verdict carries its reasons with the figures and thresholds behind them, so the console can
// show why, and the recommended actions. Pure: figures in, verdict out.
import type { GroupHealthClass, GroupKind, GroupShape } from '../../db/schema.ts';

/** One group's figures for one ISO week. */
export interface WeekFigures {
  members: number;
  joins: number;
  leaves: number;
  messages: number;
  staffMessages: number;
  ownerMessages: number;
  activeMembers: number;
  replies: number;
  /** A member answering a member. */
  memberReplies: number;
  /** Replies to or from staff (the owner and other guides). */
  staffReplies: number;
  /** Links posted by members (not staff). */
  memberLinks: number;
  /** Messages moderation flagged. */
  flaggedMessages: number;
}

export interface GroupFacts {
  kind: GroupKind;
  capacity: number;
  /** Days since the group was created, at the end of the week judged. */
  ageDays: number;
}

export const HEALTH_THRESHOLDS = {
  /** Fewer member messages than this in a week, with at most `deadActiveMembers` speaking: dead. */
  deadMemberMessages: 3,
  deadActiveMembers: 1,
  /** At least this many member messages before spam is judged (two links are not a spam group). */
  spamMinMemberMessages: 5,
  /** Links and flagged messages as a share of member messages at or above which a group is spam. */
  spamShare: 0.3,
  /** Share of members who spoke at or above which the group is active. */
  activeShare: 0.1,
  /** Share of messages from members (not staff) a value group needs. */
  memberMessageShare: 0.5,
  /** Weekly leaves as a share of members at or above which leaving is high. */
  highLeaveShare: 0.05,
  /** Replies needed before the shape is read from who answers whom. */
  shapeMinReplies: 5,
  /** Member-to-member share of replies at or above which the group is mesh-like. */
  meshReplyShare: 0.4,
  /** Share of messages from staff at or above which, with few replies, the owner is the hub. */
  hubMessageShare: 0.6,
  /** Members as a share of capacity at or above which the group should be split. */
  splitShare: 0.9,
  /** A temporary group-buy group older than this and no longer active should be dissolved. */
  groupBuyDays: 14,
} as const;

export type ReasonCode =
  | 'no_member_messages' | 'few_member_messages' | 'spam_share_high' | 'active_share_high' | 'active_share_low'
  | 'member_share_high' | 'member_share_low' | 'mesh_replies' | 'hub_replies' | 'owner_talks' | 'few_replies'
  | 'leave_share_low' | 'leave_share_high' | 'near_capacity';

export interface Reason {
  code: ReasonCode;
  values: Record<string, number>;
}

export type ActionCode = 'revive' | 'dissolve' | 'split' | 'clean_spam' | 'spark_conversation';

export interface Verdict {
  class: GroupHealthClass;
  shape: GroupShape;
  reasons: Reason[];
  actions: ActionCode[];
}

const T = HEALTH_THRESHOLDS;
const share = (part: number, whole: number): number => (whole > 0 ? Math.round((part / whole) * 1000) / 1000 : 0);

/** Mesh when members answer members, hub-and-spoke when answers (or, lacking them, messages) centre on staff. */
export function groupShape(w: WeekFigures): { shape: GroupShape; reason: Reason | null } {
  if (w.replies >= T.shapeMinReplies) {
    const meshShare = share(w.memberReplies, w.replies);
    if (meshShare >= T.meshReplyShare) return { shape: 'mesh', reason: { code: 'mesh_replies', values: { share: meshShare, threshold: T.meshReplyShare } } };
    return { shape: 'hub_and_spoke', reason: { code: 'hub_replies', values: { share: share(w.staffReplies, w.replies), meshShare, threshold: T.meshReplyShare } } };
  }
  const staffShare = share(w.staffMessages, w.messages);
  if (w.messages > 0 && staffShare >= T.hubMessageShare) {
    return { shape: 'hub_and_spoke', reason: { code: 'owner_talks', values: { share: staffShare, threshold: T.hubMessageShare } } };
  }
  return { shape: 'unknown', reason: w.messages > 0 ? { code: 'few_replies', values: { replies: w.replies, threshold: T.shapeMinReplies } } : null };
}

export function classifyWeek(w: WeekFigures, group: GroupFacts): Verdict {
  const reasons: Reason[] = [];
  const memberMessages = Math.max(0, w.messages - w.staffMessages);
  const activeShare = share(w.activeMembers, w.members);
  const memberShare = share(memberMessages, w.messages);
  const leaveShare = share(w.leaves, w.members + w.leaves);
  // a message can be both a link and flagged: the share is capped at all of them
  const spamShare = Math.min(1, share(w.memberLinks + w.flaggedMessages, memberMessages));
  const { shape, reason: shapeReason } = groupShape(w);

  let cls: GroupHealthClass;
  if (memberMessages >= T.spamMinMemberMessages && spamShare >= T.spamShare) {
    cls = 'spam';
    reasons.push({ code: 'spam_share_high', values: { share: spamShare, links: w.memberLinks, flagged: w.flaggedMessages, threshold: T.spamShare } });
  } else if (memberMessages < T.deadMemberMessages && w.activeMembers <= T.deadActiveMembers) {
    cls = 'dead';
    reasons.push(memberMessages === 0
      ? { code: 'no_member_messages', values: { messages: w.messages, staffMessages: w.staffMessages } }
      : { code: 'few_member_messages', values: { memberMessages, threshold: T.deadMemberMessages } });
  } else if (activeShare >= T.activeShare && memberShare >= T.memberMessageShare && shape !== 'hub_and_spoke') {
    cls = 'value';
    reasons.push({ code: 'active_share_high', values: { share: activeShare, activeMembers: w.activeMembers, members: w.members, threshold: T.activeShare } });
    reasons.push({ code: 'member_share_high', values: { share: memberShare, threshold: T.memberMessageShare } });
  } else {
    cls = 'chicken_rib';
    if (activeShare < T.activeShare) {
      reasons.push({ code: 'active_share_low', values: { share: activeShare, activeMembers: w.activeMembers, members: w.members, threshold: T.activeShare } });
    }
    if (memberShare < T.memberMessageShare) reasons.push({ code: 'member_share_low', values: { share: memberShare, threshold: T.memberMessageShare } });
  }
  if (shapeReason) reasons.push(shapeReason);
  if (cls === 'chicken_rib' || cls === 'dead') {
    reasons.push(leaveShare >= T.highLeaveShare
      ? { code: 'leave_share_high', values: { share: leaveShare, leaves: w.leaves, threshold: T.highLeaveShare } }
      : { code: 'leave_share_low', values: { share: leaveShare, leaves: w.leaves, threshold: T.highLeaveShare } });
  }
  const fill = share(w.members, group.capacity);
  if (fill >= T.splitShare) reasons.push({ code: 'near_capacity', values: { members: w.members, capacity: group.capacity, threshold: T.splitShare } });
  return { class: cls, shape, reasons, actions: recommend(cls, shape, fill, group) };
}

/** What to do next: clean a spam group, dissolve a finished group-buy group, revive, split, spark talk. */
export function recommend(cls: GroupHealthClass, shape: GroupShape, fill: number, group: GroupFacts): ActionCode[] {
  const actions: ActionCode[] = [];
  if (cls === 'spam') actions.push('clean_spam');
  const finishedGroupBuy = group.kind === 'group_buy' && group.ageDays >= T.groupBuyDays && (cls === 'dead' || cls === 'chicken_rib');
  if (finishedGroupBuy) actions.push('dissolve');
  else if (cls === 'dead' || cls === 'chicken_rib') actions.push('revive');
  if (cls !== 'dead' && shape === 'hub_and_spoke') actions.push('spark_conversation');
  if (fill >= T.splitShare && !finishedGroupBuy) actions.push('split');
  return actions;
}

/** Monday of the ISO week holding a local calendar date (YYYY-MM-DD). */
export function isoWeekStart(date: string): string {
  const ms = Date.parse(`${date}T00:00:00Z`);
  const weekday = (new Date(ms).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return new Date(ms - weekday * 86_400_000).toISOString().slice(0, 10);
}
