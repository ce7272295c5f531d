"use client";
// A privacy officer's form on the disclosure report: release a dataset version's DP counts (charged to its budget).
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { ErrorMessage } from "@/app/_components/error-message";
import { formData } from "@/app/_components/format";
import { useTRPC } from "@/app/_trpc/client";

export function ReleaseCounts({ datasetVersionId }: { datasetVersionId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const release = useMutation(trpc.budgets.releaseCounts.mutationOptions({ onSuccess: () => router.refresh() }));
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    release.mutate({ datasetVersionId, noiseMultiplier: Number(formData(event)("noiseMultiplier")) });
  }
  return (
    <form className="inline no-print" onSubmit={onSubmit} aria-label="Release DP counts">
      <label>
        Noise multiplier σ (noise std σ × sensitivity on each count)
        <input name="noiseMultiplier" inputMode="decimal" defaultValue={10} required />
      </label>
      <button type="submit" disabled={release.isPending}>
        Release DP counts (charged to the budget)
      </button>
      <ErrorMessage error={release.error} />
    </form>
  );
}
