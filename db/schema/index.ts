// Every table of the app, one file per domain; drizzle-kit and the client read this index.
export * from "./roles";
export * from "./users";
export * from "./audit";
export * from "./datasets";
export * from "./budgets";
export * from "./models";
export * from "./runs";
export * from "./incidents";
export * from "./leakage";
export * from "./notifications";
export * from "./ledger-curves";
export * from "./red-team";
export * from "./synthetic";
export * from "./federation";
