// tRPC procedures for runs: the projection shown before launch, the launch, and the list.
import { z } from "zod";
import { RUN_STATUSES } from "../../db/schema";
import { allowedTo, router } from "../trpc";
import { launchOptions, listRuns, runsPageInput } from "./run-views";
import { project } from "./launch-projection";
import { cancelRun, launchRun, resumeRun, runIdInput } from "./service";
import { runDetail } from "./run-detail";
import { runRequestInput } from "./run-request";

const engineer = allowedTo("train");
const reader = allowedTo("readTraining");

// Answers scripts/load-bench.ts reads: the launched run's id, and the cancelled run (its other columns pass through).
const launchOutput = z.uuid();
const cancelOutput = z.looseObject({ id: z.uuid(), status: z.enum(RUN_STATUSES), cancelRequested: z.boolean() });

export const runsRouter = router({
  list: reader.input(runsPageInput.prefault({})).query(({ ctx, input }) => listRuns(ctx.db, ctx.user, input)),
  get: reader.input(runIdInput).query(({ ctx, input }) => runDetail(ctx.db, ctx.user, input.runId)),
  cancel: allowedTo("cancelRun")
    .input(runIdInput)
    .output(cancelOutput)
    .mutation(({ ctx, input }) => cancelRun(ctx.db, ctx.user, ctx.actor, input)),
  resume: engineer.input(runIdInput).mutation(({ ctx, input }) => resumeRun(ctx.db, ctx.user, ctx.actor, input)),
  options: engineer.query(({ ctx }) => launchOptions(ctx.db, ctx.user)),
  preview: engineer.input(runRequestInput).query(async ({ ctx, input }) => {
    const { budget, ...projection } = await project(ctx.db, ctx.user, input);
    return { ...projection, privacyUnit: budget.privacyUnit, renewsOn: budget.renewsOn };
  }),
  launch: engineer.input(runRequestInput).output(launchOutput).mutation(async ({ ctx, input }) => (await launchRun(ctx.db, ctx.user, ctx.actor, input)).runId),
});
