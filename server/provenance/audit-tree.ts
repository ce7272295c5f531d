// The audit log seen as an RFC 6962 Merkle tree (leaf i is the entry with seq i + 1): signed tree heads, inclusion
// proofs for chosen entries, and consistency proofs between two sizes.
import { asc, lte } from "drizzle-orm";
import type { Executor } from "../../db/client";
import { auditLog } from "../../db/schema";
import { AppError } from "../errors";
import { signTreeHead, type SignedTreeHead } from "./dsse";
import { auditLeafHash } from "./bundle";
import { consistencyProof, inclusionProof, treeRoot, verifyConsistency } from "./merkle";
import type { SigningKey } from "./keys";

/** The log's first `size` entries (all when omitted) and their leaf hashes. */
async function leaves(db: Executor, size?: number) {
  const entries =
    size === undefined
      ? await db.select().from(auditLog).orderBy(asc(auditLog.seq))
      : await db.select().from(auditLog).where(lte(auditLog.seq, size)).orderBy(asc(auditLog.seq));
  return { entries, hashes: entries.map(auditLeafHash) };
}

export async function signedTreeHead(db: Executor, key: SigningKey): Promise<SignedTreeHead> {
  const { hashes } = await leaves(db);
  return signTreeHead({ tree_size: hashes.length, root_hash: treeRoot(hashes), timestamp: new Date().toISOString() }, key.privateKey);
}

/** Inclusion proofs, in the tree of the whole log, for the entries with these seqs (in seq order, each once). */
export async function proofsFor(db: Executor, seqs: Iterable<number>) {
  const { entries, hashes } = await leaves(db);
  const wanted = new Set(seqs);
  return {
    treeSize: hashes.length,
    root: treeRoot(hashes),
    entries: entries.filter((e) => wanted.has(e.seq)).map((entry) => ({ leaf_index: entry.seq - 1, entry, inclusion_proof: inclusionProof(entry.seq - 1, hashes) })),
  };
}

/** The proof that the log of size `from` is a prefix of the log of size `to`, with both roots and its check. */
export async function consistency(db: Executor, from: number, to: number) {
  const { hashes } = await leaves(db, to);
  if (from < 1 || from > to || to > hashes.length) throw new AppError("BAD_REQUEST", `The sizes must satisfy 1 <= from <= to <= ${hashes.length}.`);
  const proof = consistencyProof(from, hashes);
  const fromRoot = treeRoot(hashes.slice(0, from));
  const toRoot = treeRoot(hashes);
  return { from, to, fromRoot, toRoot, proof, verified: verifyConsistency(from, to, fromRoot, toRoot, proof) };
}
