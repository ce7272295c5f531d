// Who may use which part of the dashboard: one table that the navigation, the page guards and the routers share.
import { ROLES, type Role } from "../../db/schema/roles";

export { ROLES, type Role };

export const ROLE_LABELS: Record<Role, string> = {
  admin: "Admin",
  privacy_officer: "Privacy officer",
  engineer: "Engineer",
  auditor: "Auditor",
};

export const SECTION_IDS = [
  "datasets",
  "models",
  "runs",
  "budgets",
  "monitoring",
  "incidents",
  "audit",
  "admin",
] as const;
export type SectionId = (typeof SECTION_IDS)[number];

export interface Section {
  id: SectionId;
  label: string;
  href: `/${SectionId}`;
  roles: readonly Role[];
  /** What the page is for; shown on pages whose features have not landed yet. */
  summary: string;
}

const READERS_OF_TRAINING = ["engineer", "privacy_officer", "auditor"] as const satisfies readonly Role[];

export const SECTIONS: Record<SectionId, Section> = {
  datasets: {
    id: "datasets",
    label: "Datasets",
    href: "/datasets",
    // Admins set which engineers may train on a dataset, as privacy officers do.
    roles: [...READERS_OF_TRAINING, "admin"],
    summary: "Upload JSONL or CSV, scan for personal data, minimise, and control who may train on each dataset.",
  },
  models: {
    id: "models",
    label: "Models",
    href: "/models",
    roles: READERS_OF_TRAINING,
    summary: "The model registry: base and fine-tuned versions, their lineage and the privacy guarantee of each.",
  },
  runs: {
    id: "runs",
    label: "Runs",
    href: "/runs",
    roles: READERS_OF_TRAINING,
    summary: "Launch DP fine-tuning runs and watch their loss, steps and privacy spend live.",
  },
  budgets: {
    id: "budgets",
    label: "Budgets",
    href: "/budgets",
    roles: READERS_OF_TRAINING,
    summary: "Privacy budgets per dataset: set, renew, request and approve, with spend over time against the limit.",
  },
  monitoring: {
    id: "monitoring",
    label: "Monitoring",
    href: "/monitoring",
    roles: ["privacy_officer", "auditor"],
    summary: "Leakage tests and privacy-drift probes of deployed model versions, with thresholds and alerts.",
  },
  incidents: {
    id: "incidents",
    label: "Incidents",
    href: "/incidents",
    roles: ["privacy_officer", "auditor"],
    summary: "Incidents with their timeline, containment actions and blast radius.",
  },
  audit: {
    id: "audit",
    label: "Audit",
    href: "/audit",
    roles: ["auditor", "admin"],
    summary: "The hash-chained audit log of every governance change.",
  },
  admin: {
    id: "admin",
    label: "Admin",
    href: "/admin",
    roles: ["admin"],
    summary: "Users and roles.",
  },
};

export function mayUseSection(role: Role, section: SectionId): boolean {
  return SECTIONS[section].roles.includes(role);
}

export function sectionsFor(role: Role): Section[] {
  return SECTION_IDS.filter((id) => mayUseSection(role, id)).map((id) => SECTIONS[id]);
}
