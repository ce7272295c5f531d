// tRPC procedures for runs: the projection shown before launch, the launch, and the list.
import { actorOf } from "../actor";
import { roleProcedure, router } from "../trpc";
import { launchOptions, launchRun, listRuns, project, runRequestInput } from "./service";

const engineer = roleProcedure("engineer");

export const runsRouter = router({
  list: roleProcedure("engineer", "privacy_officer", "auditor").query(({ ctx }) => listRuns(ctx.db, ctx.user)),
  options: engineer.query(({ ctx }) => launchOptions(ctx.db, ctx.user)),
  preview: engineer.input(runRequestInput).query(({ ctx, input }) => {
    const { budget, ...projection } = project(ctx.db, ctx.user, input);
    return { ...projection, privacyUnit: budget.privacyUnit, renewsOn: budget.renewsOn };
  }),
  launch: engineer.input(runRequestInput).mutation(({ ctx, input }) => launchRun(ctx.db, ctx.user, actorOf(ctx.user), input).runId),
});
