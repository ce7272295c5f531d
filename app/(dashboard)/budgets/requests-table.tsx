"use client";
// A dataset's budget requests: who asked for what and why, and the decision; officers decide pending ones in place.
import { Num } from "@/app/_components/num";
import { when } from "@/app/_components/format";
import type { RouterOutputs } from "@/app/_trpc/types";
import { useRefresh } from "./budget-forms";
import { DecideRequest, type CurrentBudget } from "./decide-request";

type Status = RouterOutputs["budgets"]["overview"][number];

export function RequestsTable({ requests, current, mayDecide }: { requests: Status["requests"]; current: CurrentBudget; mayDecide: boolean }) {
  const refresh = useRefresh();
  if (requests.length === 0) return null;
  return (
    <>
      <h3>Requests</h3>
      <table>
        <thead>
          <tr>
            <th>When</th>
            <th>Asked by</th>
            <th>New limit</th>
            <th>Reason</th>
            <th>Status</th>
            <th>Decision</th>
          </tr>
        </thead>
        <tbody>
          {requests.map((r) => (
            <tr key={r.id} data-testid="budget-request">
              <td>{when(r.createdAt)}</td>
              <td>{r.requesterEmail}</td>
              <td>
                ε = <Num value={r.epsilon} />
              </td>
              <td>{r.reason}</td>
              <td>{r.status}</td>
              <td>
                {r.status === "pending" && mayDecide ? (
                  <DecideRequest request={{ id: r.id, epsilon: r.epsilon, firstBudget: current === null }} current={current} onDecided={() => void refresh()} />
                ) : (
                  (r.decisionReason ?? "")
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
