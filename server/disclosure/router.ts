// tRPC procedure for a model version's disclosure report: read by everyone who trains or oversees.
import { z } from "zod";
import { allowedTo, router } from "../trpc";
import { disclosure } from "./service";

export const disclosureRouter = router({
  get: allowedTo("readTraining")
    .input(z.object({ versionId: z.uuid() }))
    .query(({ ctx, input }) => disclosure(ctx.db, input.versionId)),
});
