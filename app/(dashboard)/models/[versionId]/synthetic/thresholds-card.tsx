"use client";
// The organisation's thresholds for validating synthetic datasets: shown to every reader, set by privacy officers
// (audited); a version keeps the thresholds it was checked against.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { FormProblems, problemsOf } from "@/app/_components/form-problems";
import { formData } from "@/app/_components/format";
import { useTRPC } from "@/app/_trpc/client";
import type { RouterOutputs } from "@/app/_trpc/types";
import { thresholdsSchema } from "@/server/synthetic/report";

type Thresholds = RouterOutputs["synthetic"]["thresholds"];

export function ThresholdsCard({ thresholds, canSet }: { thresholds: Thresholds; canSet: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [shown, setShown] = useState(thresholds);
  const set = useMutation(
    trpc.synthetic.setThresholds.mutationOptions({
      onSuccess: (t) => {
        setShown(t);
        void queryClient.invalidateQueries({ queryKey: trpc.synthetic.thresholds.queryKey() });
      },
    }),
  );
  const [invalid, setInvalid] = useState<string[]>([]);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const get = formData(event);
    const checked = thresholdsSchema.safeParse({
      near_duplicate_jaccard: Number(get("jaccard")),
      max_duplicate_share: Number(get("duplicates")),
      max_closer_share: Number(get("closer")),
      max_copied_pii: Number(get("pii")),
    });
    setInvalid(problemsOf(checked));
    if (checked.success) set.mutate(checked.data);
  }

  return (
    <section className="card" data-testid="synthetic-thresholds">
      <h2>The organisation&apos;s validation thresholds</h2>
      <ul>
        <li>
          A record near-duplicates a training record at MinHash Jaccard ≥ {shown.near_duplicate_jaccard} (character 5-grams); at most{" "}
          {(100 * shown.max_duplicate_share).toFixed(1)}% of records may.
        </li>
        <li>
          At most {(100 * shown.max_closer_share).toFixed(1)}% of records may sit closer to training records than to held-out ones (DCR; fails only when one
          half is outside the share&apos;s 95% interval).
        </li>
        <li>At most {shown.max_copied_pii} PII values copied from training records.</li>
        <li>No inserted canary may appear.</li>
      </ul>
      {canSet && (
        <form onSubmit={onSubmit} aria-label="Validation thresholds">
          <div className="inline">
            <label>
              Near-duplicate Jaccard
              <input name="jaccard" defaultValue={shown.near_duplicate_jaccard} inputMode="decimal" />
            </label>
            <label>
              Duplicates allowed (share)
              <input name="duplicates" defaultValue={shown.max_duplicate_share} inputMode="decimal" />
            </label>
            <label>
              Closer to training (share)
              <input name="closer" defaultValue={shown.max_closer_share} inputMode="decimal" />
            </label>
            <label>
              Copied PII values
              <input name="pii" defaultValue={shown.max_copied_pii} inputMode="numeric" />
            </label>
            <button type="submit" disabled={set.isPending}>
              Set thresholds
            </button>
          </div>
          <FormProblems problems={invalid} error={set.error} />
          {set.isSuccess && <p role="status">Thresholds set.</p>}
        </form>
      )}
    </section>
  );
}
