"use client";
// The audit log as a Merkle tree: the current signed tree head, the public key that signs heads and provenance
// exports, and a consistency proof that an earlier head's log is a prefix of a later one.
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ErrorMessage } from "@/app/_components/error-message";
import { formData } from "@/app/_components/format";
import { useTRPC } from "@/app/_trpc/client";

export function TreeHeads() {
  const trpc = useTRPC();
  const head = useQuery(trpc.provenance.treeHead.queryOptions());
  const [sizes, setSizes] = useState<{ from: number; to: number } | null>(null);
  const proof = useQuery({ ...trpc.provenance.consistency.queryOptions(sizes ?? { from: 1, to: 1 }), enabled: sizes !== null });
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const get = formData(event);
    setSizes({ from: Number(get("from")), to: Number(get("to")) });
  }
  if (!head.data) return <ErrorMessage error={head.error} />;
  return (
    <section className="card">
      <h2>Signed tree head</h2>
      <p data-testid="tree-head">
        Size {head.data.head.tree_size}, root <span className="mono">{head.data.head.root_hash}</span>, signed {head.data.head.timestamp}
      </p>
      <details>
        <summary>
          Public key (Ed25519, key id <span className="mono">{head.data.keyId.slice(0, 16)}…</span>; also at /api/provenance/public-key)
        </summary>
        <pre className="mono">{head.data.publicKeyPem}</pre>
      </details>
      <form className="inline" onSubmit={onSubmit} aria-label="Consistency proof">
        <label>
          From size
          <input name="from" inputMode="numeric" defaultValue={Math.max(1, Math.floor(head.data.head.tree_size / 2))} />
        </label>
        <label>
          To size
          <input name="to" inputMode="numeric" defaultValue={head.data.head.tree_size} />
        </label>
        <button type="submit">Show consistency proof</button>
      </form>
      <ErrorMessage error={proof.error} />
      {proof.data && (
        <div data-testid="consistency">
          <p className={proof.data.verified ? "ok" : "error"}>
            {proof.data.verified ? "Consistent" : "NOT consistent"}: the log of size {proof.data.from} (root{" "}
            <span className="mono">{proof.data.fromRoot.slice(0, 16)}…</span>) is a prefix of the log of size {proof.data.to} (root{" "}
            <span className="mono">{proof.data.toRoot.slice(0, 16)}…</span>).
          </p>
          <ol className="mono">
            {proof.data.proof.map((h, i) => (
              <li key={i}>{h}</li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
