// tRPC procedures for the model registry: read by everyone who trains or oversees; status changes by privacy officers.
import { eq } from "drizzle-orm";
import { z } from "zod";
import { modelVersions } from "../../db/schema";
import { actorOf } from "../actor";
import { AppError } from "../errors";
import { roleProcedure, router } from "../trpc";
import { disclosure } from "./disclosure";
import { guarantees, lineage, listModels, setModelStatus, setStatusInput } from "./service";

const reader = roleProcedure("engineer", "privacy_officer", "auditor");

export const modelsRouter = router({
  list: reader.query(({ ctx }) => listModels(ctx.db)),
  get: reader.input(z.object({ versionId: z.uuid() })).query(({ ctx, input }) => {
    const version = ctx.db.select().from(modelVersions).where(eq(modelVersions.id, input.versionId)).get();
    if (!version) throw new AppError("NOT_FOUND", "No such model version.");
    // Validation loss and perplexity on held-out records: internal figures, not DP (the page labels them so).
    const metrics = z.record(z.string(), z.number()).parse(JSON.parse(version.metrics));
    return { version, metrics, lineage: lineage(ctx.db, version.id), guarantees: guarantees(ctx.db, version.id) };
  }),
  disclosure: reader.input(z.object({ versionId: z.uuid() })).query(({ ctx, input }) => disclosure(ctx.db, input.versionId)),
  setStatus: roleProcedure("privacy_officer")
    .input(setStatusInput)
    .mutation(({ ctx, input }) => setModelStatus(ctx.db, actorOf(ctx.user), input)),
});
