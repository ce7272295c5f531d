// The app's tRPC router: one sub-router per domain folder of server/.
import { auditRouter } from "./audit/router";
import { budgetsRouter } from "./budgets/router";
import { datasetsRouter } from "./datasets/router";
import { homeRouter } from "./home/router";
import { disclosureRouter } from "./disclosure/router";
import { federationRouter } from "./federation/router";
import { incidentsRouter } from "./incidents/router";
import { leakageRouter } from "./leakage/router";
import { modelsRouter } from "./models/router";
import { notificationsRouter } from "./notifications/router";
import { provenanceRouter } from "./provenance/router";
import { redTeamRouter } from "./red-team/router";
import { runsRouter } from "./runs/router";
import { createSessionRouter } from "./session/router";
import { spendRouter } from "./spend/router";
import { syntheticRouter } from "./synthetic/router";
import { createCallerFactory, procedureAccess, router, type ProcedureAccess } from "./trpc";
import { usersRouter } from "./users/router";

export const appRouter = router({
  // session.can answers from every procedure's access meta, read when called (once appRouter exists).
  session: createSessionRouter((): ProcedureAccess[] => procedureAccess(appRouter)),
  users: usersRouter,
  audit: auditRouter,
  datasets: datasetsRouter,
  budgets: budgetsRouter,
  runs: runsRouter,
  models: modelsRouter,
  disclosure: disclosureRouter,
  incidents: incidentsRouter,
  leakage: leakageRouter,
  redTeam: redTeamRouter,
  synthetic: syntheticRouter,
  provenance: provenanceRouter,
  home: homeRouter,
  notifications: notificationsRouter,
  spend: spendRouter,
  federation: federationRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
