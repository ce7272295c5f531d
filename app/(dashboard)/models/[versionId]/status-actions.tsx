"use client";
// The status changes privacy officers make on a version: approve (the epsilon it is released with, in words, beside
// the button), deploy and withdraw (each asks for confirmation; a withdrawal asks why, and the reason is kept).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import type { Can } from "@/app/_trpc/types";
import { ConfirmButton } from "@/app/_components/confirm-button";
import { EpsilonSentence } from "@/app/_components/epsilon-sentence";
import { ErrorMessage } from "@/app/_components/error-message";
import { useTRPC } from "@/app/_trpc/client";
import type { VersionGuarantee } from "./guarantee";

type Status = "draft" | "approved" | "deployed" | "withdrawn";

export function StatusActions({ versionId, status, can, guarantees }: { versionId: string; status: Status; can: Can; guarantees: VersionGuarantee[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const reasonId = useId();
  const [reason, setReason] = useState("");
  const setStatus = useMutation(
    trpc.models.setStatus.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.models.pathKey() });
        router.refresh(); // the withdrawal notice and approval history are drawn on the server
      },
    }),
  );
  if (!can["models.setStatus"] || status === "withdrawn") return null;
  const decide = (next: "approved" | "deployed" | "withdrawn") => setStatus.mutate({ versionId, status: next, ...(next === "withdrawn" ? { reason } : {}) });
  return (
    <section aria-label="Approval" data-testid="status-actions">
      <h2>Approval</h2>
      {status !== "deployed" && (
        <div data-testid="decision-epsilon">
          <p>{status === "draft" ? "Approving" : "Deploying"} releases this version with the guarantee above:</p>
          {guarantees.length === 0 ? (
            <p className="muted">It was trained on no dataset of ours: no privacy budget is at stake.</p>
          ) : (
            guarantees.map((g) => (
              <div key={g.datasetId}>
                <strong>{g.datasetName}</strong>
                <EpsilonSentence epsilon={g.epsilon} delta={g.delta} unit={g.privacyUnit} />
              </div>
            ))
          )}
        </div>
      )}
      <div className="inline">
        {status === "draft" && (
          <button type="button" disabled={setStatus.isPending} onClick={() => decide("approved")}>
            Approve
          </button>
        )}
        {status === "approved" && (
          <ConfirmButton question="Deploy this version? It will be served and monitored for drift." confirmLabel="Yes, deploy" onConfirm={() => decide("deployed")} disabled={setStatus.isPending}>
            Deploy
          </ConfirmButton>
        )}
      </div>
      <div className="inline">
        <label htmlFor={reasonId}>Reason for withdrawing</label>
        <input id={reasonId} value={reason} maxLength={2000} onChange={(e) => setReason(e.target.value)} placeholder="e.g. canary exposure too high" />
        <ConfirmButton
          className="secondary"
          question="Withdraw this version for good? It can no longer be downloaded, deployed or fine-tuned."
          confirmLabel="Yes, withdraw"
          onConfirm={() => decide("withdrawn")}
          disabled={setStatus.isPending || reason.trim().length < 3}
        >
          Withdraw
        </ConfirmButton>
      </div>
      <p className="muted">A withdrawal caused by an incident is made from the incident&apos;s page, which links it.</p>
      <ErrorMessage error={setStatus.error} />
    </section>
  );
}
