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
  "federation",
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

/** A role list that names at least one role (a procedure open to nobody is a mistake). */
type Roles = readonly [Role, ...Role[]];

const READERS_OF_TRAINING = ["engineer", "privacy_officer", "auditor"] as const satisfies Roles;

/**
 * Who may do what, written once: the routers build their procedures from these lists (`allowedTo(action)` in
 * server/trpc.ts), the sections below take their roles from them, and the HTTP routes check the same lists.
 */
export const MAY = {
  /** Read datasets' metadata and reports (admins too: they choose who may train on a dataset). */
  readDatasets: [...READERS_OF_TRAINING, "admin"],
  /** Read what is trained and spent: models, runs, budgets (and download weights, with access to the data for engineers). */
  readTraining: READERS_OF_TRAINING,
  /** Train: upload datasets, request budget, launch and resume (their own) runs. */
  train: ["engineer"],
  /** Minimise a dataset version: engineers with access to it, privacy officers any (`datasets.minimise.any`). */
  minimise: ["engineer", "privacy_officer"],
  /** Choose which engineers may train on a dataset. */
  grantAccess: ["privacy_officer", "admin"],
  /** Cancel a run: engineers their own, privacy officers any (`cancelAnyRun`). */
  cancelRun: ["engineer", "privacy_officer"],
  cancelAnyRun: ["privacy_officer"],
  /** Govern privacy: set, renew and decide budgets, release DP counts, change model status, run incidents, set drift thresholds. */
  govern: ["privacy_officer"],
  /** Oversee leakage and incidents: read them, request leakage tests, export signed provenance. */
  oversee: ["privacy_officer", "auditor"],
  /** Read and verify the audit log. */
  readAudit: ["auditor", "admin"],
  /** See the parties of cross-institution training (admins register and revoke them: `administer`). */
  readFederation: [...READERS_OF_TRAINING, "admin"],
  /** Register a base model from a model directory (`npm run models -- register`): one pretrained here or imported. */
  registerModels: ["privacy_officer", "admin"],
  /** Manage users and roles, and the parties of cross-institution training. */
  administer: ["admin"],
} as const satisfies Record<string, Roles>;
export type Action = keyof typeof MAY;

/**
 * What the server allows outside a tRPC procedure's own access check (HTTP routes, and rules within a procedure),
 * named like procedure paths so that the client's `can` map (session.can) answers for them too.
 */
export const ABILITIES = {
  /** POST /api/datasets/upload */
  "api.datasets.upload": MAY.train,
  /** GET /api/datasets/<versionId>/download (approved synthetic versions) */
  "api.datasets.download": MAY.readTraining,
  /** GET /api/models/<id>/weights */
  "api.models.weights": MAY.readTraining,
  /** GET /api/models/<id>/provenance */
  "api.models.provenance": MAY.oversee,
  /** GET /api/audit/export */
  "api.audit.export": MAY.readAudit,
  /** runs.cancel on a run someone else launched */
  "runs.cancel.any": MAY.cancelAnyRun,
  /** datasets.minimise on a dataset one has not been granted access to */
  "datasets.minimise.any": MAY.govern,
} as const satisfies Record<string, Roles>;
export type Ability = keyof typeof ABILITIES;

export function may(role: Role, roles: readonly Role[]): boolean {
  return roles.includes(role);
}

export const SECTIONS: Record<SectionId, Section> = {
  datasets: {
    id: "datasets",
    label: "Datasets",
    href: "/datasets",
    roles: MAY.readDatasets,
    summary: "Upload JSONL or CSV, scan for personal data, minimise, and control who may train on each dataset.",
  },
  models: {
    id: "models",
    label: "Models",
    href: "/models",
    roles: MAY.readTraining,
    summary: "The model registry: base and fine-tuned versions, their lineage and the privacy guarantee of each.",
  },
  runs: {
    id: "runs",
    label: "Runs",
    href: "/runs",
    roles: MAY.readTraining,
    summary: "Launch DP fine-tuning runs and watch their loss, steps and privacy spend live.",
  },
  budgets: {
    id: "budgets",
    label: "Budgets",
    href: "/budgets",
    roles: MAY.readTraining,
    summary: "Privacy budgets per dataset: set, renew, request and approve, with spend over time against the limit.",
  },
  monitoring: {
    id: "monitoring",
    label: "Monitoring",
    href: "/monitoring",
    roles: MAY.oversee,
    summary: "Leakage tests and privacy-drift probes of deployed model versions, with thresholds and alerts.",
  },
  incidents: {
    id: "incidents",
    label: "Incidents",
    href: "/incidents",
    roles: MAY.oversee,
    summary: "Incidents with their timeline, containment actions and blast radius.",
  },
  federation: {
    id: "federation",
    label: "Federation",
    href: "/federation",
    roles: MAY.readFederation,
    summary: "Institutions (parties) that train together without pooling their records: enrolment, status and rounds.",
  },
  audit: {
    id: "audit",
    label: "Audit",
    href: "/audit",
    roles: MAY.readAudit,
    summary: "The hash-chained audit log of every governance change.",
  },
  admin: {
    id: "admin",
    label: "Admin",
    href: "/admin",
    roles: MAY.administer,
    summary: "Users and roles.",
  },
};

export function mayUseSection(role: Role, section: SectionId): boolean {
  return may(role, SECTIONS[section].roles);
}

export function sectionsFor(role: Role): Section[] {
  return SECTION_IDS.filter((id) => mayUseSection(role, id)).map((id) => SECTIONS[id]);
}

/**
 * The sections each domain's router (its key in server/root.ts) serves: its procedures may be open only to roles of
 * every one of them (server/auth/access.test.ts checks this). The session router serves every signed-in user.
 */
export const ROUTER_SECTIONS: Record<string, readonly SectionId[] | "everyone"> = {
  session: "everyone",
  users: ["admin"],
  audit: ["audit"],
  datasets: ["datasets"],
  budgets: ["budgets"],
  runs: ["runs"],
  models: ["models"],
  // The disclosure report of a model version, linked from the Models page.
  disclosure: ["models"],
  incidents: ["incidents"],
  // The leakage panel is shown on the Models page and on Monitoring.
  leakage: ["models", "monitoring"],
  // The Red team tab of a model version's page.
  redTeam: ["models"],
  // Synthetic datasets: made from a model version's page, followed and approved on the dataset's page.
  synthetic: ["datasets", "models"],
  // The audit log as a Merkle tree, on the Audit page.
  provenance: ["audit"],
  // The home page's to-do list (one per role) and the notification inbox: every signed-in user, each their own.
  home: "everyone",
  notifications: "everyone",
  // The parties of cross-institution training, on the Federation page.
  federation: ["federation"],
  // The spend breakdown by run and model version, on the Budgets page.
  spend: ["budgets"],
};
