// tRPC procedures of the audit log as a Merkle tree (auditors and admins): its signed head now and consistency
// proofs between two sizes, what an auditor compares with the tree head of an export.
import { z } from "zod";
import { hexHashSchema as hexHash } from "../audit/canonical";
import { env } from "../env";
import { allowedTo, router } from "../trpc";
import { consistency, signedTreeHead } from "./audit-tree";
import { signedTreeHeadSchema } from "./dsse";
import { signingKey } from "./keys";

const reader = allowedTo("readAudit");

// The answers other programs read: the signed tree head with its key, and consistency proofs.
const treeHeadOutput = z.object({ head: signedTreeHeadSchema, publicKeyPem: z.string(), keyId: z.string() });
const consistencyOutput = z.object({
  from: z.number().int(),
  to: z.number().int(),
  fromRoot: hexHash,
  toRoot: hexHash,
  proof: z.array(hexHash),
  verified: z.boolean(),
});

export const provenanceRouter = router({
  /** The log as a Merkle tree: its signed head now, and the key that signed it. */
  treeHead: reader.output(treeHeadOutput).query(async ({ ctx }) => {
    const key = signingKey(env().DATA_DIR);
    return { head: await signedTreeHead(ctx.db, key), publicKeyPem: key.publicKeyPem, keyId: key.keyId };
  }),
  consistency: reader
    .input(z.object({ from: z.number().int().min(1), to: z.number().int().min(1) }))
    .output(consistencyOutput)
    .query(({ ctx, input }) => consistency(ctx.db, input.from, input.to)),
});
