"use client";
// A budget request decided on the home page: the Budgets page's decision form, then the to-do list reloads.
import { useRouter } from "next/navigation";
import { DecideRequest, type CurrentBudget, type DecidableRequest } from "../budgets/decide-request";

export function DecideHere({ request, current }: { request: DecidableRequest; current: CurrentBudget }) {
  const router = useRouter();
  return <DecideRequest request={request} current={current} onDecided={() => router.refresh()} />;
}
