// tRPC procedures for runs: the projection shown before launch, the launch, and the list.
import { actorOf } from "../actor";
import { roleProcedure, router } from "../trpc";
import { cancelRun, launchOptions, launchRun, listRuns, project, resumeRun, runDetail, runIdInput, runRequestInput } from "./service";

const engineer = roleProcedure("engineer");
const reader = roleProcedure("engineer", "privacy_officer", "auditor");

export const runsRouter = router({
  list: reader.query(({ ctx }) => listRuns(ctx.db, ctx.user)),
  get: reader.input(runIdInput).query(({ ctx, input }) => runDetail(ctx.db, ctx.user, input.runId)),
  cancel: roleProcedure("engineer", "privacy_officer")
    .input(runIdInput)
    .mutation(({ ctx, input }) => cancelRun(ctx.db, ctx.user, actorOf(ctx.user), input)),
  resume: engineer.input(runIdInput).mutation(({ ctx, input }) => resumeRun(ctx.db, ctx.user, actorOf(ctx.user), input)),
  options: engineer.query(({ ctx }) => launchOptions(ctx.db, ctx.user)),
  preview: engineer.input(runRequestInput).query(({ ctx, input }) => {
    const { budget, ...projection } = project(ctx.db, ctx.user, input);
    return { ...projection, privacyUnit: budget.privacyUnit, renewsOn: budget.renewsOn };
  }),
  launch: engineer.input(runRequestInput).mutation(({ ctx, input }) => launchRun(ctx.db, ctx.user, actorOf(ctx.user), input).runId),
});
