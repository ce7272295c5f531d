// The four roles of the app; a module of its own so that browser code can import it without drizzle.
export const ROLES = ["admin", "privacy_officer", "engineer", "auditor"] as const;
export type Role = (typeof ROLES)[number];
