// tRPC procedures to read and verify the audit log (auditors and admins).
import { z } from "zod";
import { roleProcedure, router } from "../trpc";
import { env } from "../env";
import { consistency, signedTreeHead } from "../provenance/audit-tree";
import { signingKey } from "../provenance/keys";
import { listAudit, verifyChain } from "./service";

const reader = roleProcedure("auditor", "admin");
const filterText = z.string().trim().max(200).optional();

export const auditRouter = router({
  list: reader
    .input(
      z.object({
        action: filterText,
        actorEmail: filterText,
        entityType: filterText,
        entityId: filterText,
        page: z.number().int().min(1).max(1_000_000).default(1),
        pageSize: z.number().int().min(1).max(200).default(25),
      }),
    )
    .query(({ ctx, input }) => listAudit(ctx.db, input, input.page, input.pageSize)),
  verify: reader.query(({ ctx }) => verifyChain(ctx.db)),
  /** The log as a Merkle tree: its signed head now, and the key that signed it. */
  treeHead: reader.query(({ ctx }) => {
    const key = signingKey(env().DATA_DIR);
    return { head: signedTreeHead(ctx.db, key), publicKeyPem: key.publicKeyPem, keyId: key.keyId };
  }),
  consistency: reader
    .input(z.object({ from: z.number().int().min(1), to: z.number().int().min(1) }))
    .query(({ ctx, input }) => consistency(ctx.db, input.from, input.to)),
});
