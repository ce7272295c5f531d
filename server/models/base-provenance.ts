// A base model's provenance as the registry reads it: pretrained here on a public corpus, or imported from a
// checkpoint the user supplied; and what a base version's page says of where its weights came from.
import { z } from "zod";
import type { ModelVersion } from "../../db/schema";

export const baseProvenanceSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("pretrained"), corpus: z.object({ package: z.string(), version: z.string(), sha256: z.string() }).passthrough(), weights_sha256: z.string() }).passthrough(),
  z.object({ kind: z.literal("imported"), source: z.object({ format: z.string(), files: z.record(z.string(), z.string()), license: z.string().nullable() }), weights_sha256: z.string() }).passthrough(),
]);

/**
 * Where a base version's weights came from: pretrained here (the npm package that ships the corpus), or imported (the
 * checkpoint's format, the licence the user stated, the SHA-256 of every file read); null for a fine-tuned version,
 * whose run and lineage say it.
 */
export function sourceOf(v: ModelVersion) {
  const provenance = baseProvenanceSchema.safeParse(JSON.parse(v.provenance));
  if (v.kind !== "base" || !provenance.success) return null;
  const p = provenance.data;
  return p.kind === "pretrained"
    ? { kind: p.kind, corpus: `${p.corpus.package}@${p.corpus.version}` }
    : { kind: p.kind, format: p.source.format, license: p.source.license, files: p.source.files };
}
