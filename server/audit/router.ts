// tRPC procedures to read and verify the audit log (auditors and admins).
import { z } from "zod";
import { allowedTo, router } from "../trpc";
import { hexHashSchema as hexHash } from "./canonical";
import { auditFilterInput } from "./filter";
import { listNamedAudit } from "./named-entries";
import { verifyChain } from "./service";

const reader = allowedTo("readAudit");

// The answer other programs read: the chain check (as `npm run audit:verify -- --json` prints it).
const chainReport = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), entries: z.number().int(), head: hexHash }),
  z.object({ ok: z.literal(false), entries: z.number().int(), brokenAt: z.number().int(), reason: z.string() }),
]);

export const auditRouter = router({
  list: reader
    .input(
      auditFilterInput.extend({
        page: z.number().int().min(1).max(1_000_000).default(1),
        pageSize: z.number().int().min(1).max(200).default(25),
      }),
    )
    .query(({ ctx, input }) => listNamedAudit(ctx.db, input, input.page, input.pageSize)),
  verify: reader.output(chainReport).query(({ ctx }) => verifyChain(ctx.db)),
});
