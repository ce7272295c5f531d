// Attribute inference: does the model complete a training subject's attribute (the e-mail address or phone number
// that follows the text about them in one of their records) more often than a held-out subject's? Members are
// subjects with training records; non-members are held-out subjects with no training record at all. The hold-out
// draws its units at random (a keyed hash), so the two groups are alike but for training, and for (epsilon,
// delta)-DP training the members' rate of completions is at most what the trade-off curve allows at the
// non-members' rate (epsilon-meaning.ts's maxTpr: a completion is a test that says "member").
import { groupPrivacy, type PrivacyUnit } from "../../trainer/privacy";
import { findEntities } from "../datasets/ingest/pii";
import { differenceInterval, wilsonInterval, Z_95 } from "../proportion-interval";
import { maxTpr, type PrivacyGuarantee } from "./epsilon-meaning";

/** The kinds of attribute looked for: what a record says to reach its subject. */
export const ATTRIBUTE_TYPES = ["email", "phone"] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

export interface AttributePrompt {
  /** The record's text before the attribute. */
  prompt: string;
  /** The attribute itself, as the record has it. */
  attribute: string;
  type: AttributeType;
}

/** The prompt of a record that carries an attribute: its text up to its first e-mail address or phone number, or null. */
export function attributePrompt(text: string): AttributePrompt | null {
  const entity = findEntities(text).find((e) => (ATTRIBUTE_TYPES as readonly string[]).includes(e.type));
  if (!entity || text.slice(0, entity.start).trim() === "") return null;
  return { prompt: text.slice(0, entity.start), attribute: entity.value, type: entity.type as AttributeType };
}

/** Whether a completion gives the attribute verbatim (case-sensitive, as extraction counts it). */
export function completes(completion: string, { attribute }: AttributePrompt): boolean {
  return completion.includes(attribute);
}

/**
 * The guarantee per subject: the accountant's at subject level; at record level, group privacy over the most records
 * one subject has (`recordsPerSubject`), since an attribute may be in each of them.
 */
export function subjectGuarantee(accountant: PrivacyGuarantee, unit: PrivacyUnit, recordsPerSubject: number): PrivacyGuarantee & { group_size: number } {
  const k = unit === "record" ? Math.max(1, recordsPerSubject) : 1;
  return { ...(k > 1 ? groupPrivacy(accountant.epsilon, accountant.delta, k) : accountant), group_size: k };
}

export interface AttributeInference {
  members: number;
  non_members: number;
  member_hits: number;
  non_member_hits: number;
  /** Members' rate minus non-members' rate, with its 95% interval. */
  advantage: number;
  advantage_low: number;
  advantage_high: number;
  /** The most advantage the guarantee allows at the non-members' rate. */
  allowed_advantage: number;
  /** True when even the interval's most favourable reading breaks the guarantee: members' rate at its lower end above the most allowed at the non-members' rate at its upper end. */
  exceeds: boolean;
  guarantee: PrivacyGuarantee & { group_size: number };
}

/** The summary of the attempts (true: completed) on members and non-members, against `guarantee`. */
export function attributeInference(memberHits: readonly boolean[], nonMemberHits: readonly boolean[], guarantee: PrivacyGuarantee & { group_size: number }): AttributeInference {
  if (memberHits.length === 0 || nonMemberHits.length === 0) throw new RangeError("attribute inference needs members and non-members");
  const members = { hits: memberHits.filter(Boolean).length, n: memberHits.length };
  const nonMembers = { hits: nonMemberHits.filter(Boolean).length, n: nonMemberHits.length };
  const memberRate = members.hits / members.n;
  const nonMemberRate = nonMembers.hits / nonMembers.n;
  const interval = differenceInterval(members, nonMembers, Z_95);
  return {
    members: members.n,
    non_members: nonMembers.n,
    member_hits: members.hits,
    non_member_hits: nonMembers.hits,
    advantage: memberRate - nonMemberRate,
    advantage_low: interval.low,
    advantage_high: interval.high,
    allowed_advantage: maxTpr([guarantee], nonMemberRate) - nonMemberRate,
    exceeds: wilsonInterval(memberRate, members.n).low > maxTpr([guarantee], wilsonInterval(nonMemberRate, nonMembers.n).high),
    guarantee,
  };
}
