// tRPC procedures of the Red team tab: privacy officers and auditors run exercises against a fine-tuned version and
// read their evidence (masked); privacy officers reveal an exercise's unmasked outputs or open an incident from it.
import { z } from "zod";
import { allowedTo, router } from "../trpc";
import { exerciseInput, listExercises, openIncidentFromExercise, requestExercise, revealExercise, runExerciseInput } from "./service";

const overseer = allowedTo("oversee");

export const redTeamRouter = router({
  list: overseer.input(z.object({ versionId: z.uuid() })).query(({ ctx, input }) => listExercises(ctx.db, input.versionId)),
  run: overseer.input(runExerciseInput).mutation(({ ctx, input }) => requestExercise(ctx.db, ctx.actor, input)),
  reveal: allowedTo("govern").input(exerciseInput).mutation(({ ctx, input }) => revealExercise(ctx.db, ctx.actor, input)),
  openIncident: allowedTo("govern").input(exerciseInput).mutation(({ ctx, input }) => openIncidentFromExercise(ctx.db, ctx.actor, input)),
});
