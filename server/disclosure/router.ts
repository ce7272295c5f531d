// tRPC procedure for a model version's disclosure report: read by everyone who trains or oversees (engineers only for
// versions whose data they may see).
import { z } from "zod";
import { allowedTo, router } from "../trpc";
import { disclosureFor } from "./service";

export const disclosureRouter = router({
  get: allowedTo("readTraining")
    .input(z.object({ versionId: z.uuid() }))
    .query(({ ctx, input }) => disclosureFor(ctx.db, ctx.user, input.versionId)),
});
