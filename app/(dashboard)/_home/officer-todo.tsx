// The privacy officer's to-do list: requests to decide (here), versions to approve, open incidents by severity,
// lineages near their limit and drift alerts, each linked to where the work is done.
import Link from "next/link";
import { Num } from "@/app/_components/num";
import { when } from "@/app/_components/format";
import type { Can, RouterOutputs } from "@/app/_trpc/types";
import { DecideHere } from "./decide-here";
import { TodoList } from "./todo-list";
import { LEAKAGE_KIND } from "../models/leakage-kinds";

type OfficerTodo = Extract<RouterOutputs["home"]["todo"], { role: "privacy_officer" }>;

export function OfficerTodoView({ todo, can }: { todo: OfficerTodo; can: Can }) {
  const open = todo.openIncidents;
  return (
    <>
      <TodoList id="requests" title="Budget requests waiting" count={todo.requests.length} empty="No budget request is waiting for a decision.">
        {todo.requests.map((r) => (
          <article key={r.id} className="todo-item" data-testid="todo-request">
            <p>
              <strong>{r.requesterEmail}</strong> asks for {r.firstBudget ? "a first budget" : "more budget"} on{" "}
              <Link href={`/budgets#budget-${r.datasetId}`}>{r.datasetName}</Link>: ε = <Num value={r.epsilon} />
              {r.currentEpsilon !== null && (
                <>
                  {" "}
                  (now <Num value={r.currentEpsilon} />)
                </>
              )}{" "}
              · “{r.reason}” · {when(r.createdAt)}
            </p>
            {can["budgets.decide"] && (
              <DecideHere request={{ id: r.id, epsilon: r.epsilon, firstBudget: r.firstBudget }} current={r.current} />
            )}
          </article>
        ))}
      </TodoList>
      <TodoList id="approval" title="Model versions awaiting approval" count={todo.awaitingApproval.length} empty="No model version awaits approval.">
        <ul>
          {todo.awaitingApproval.map((v) => (
            <li key={v.id}>
              <Link href={`/models/${v.id}`}>{v.label}</Link> · registered {when(v.createdAt)}
            </li>
          ))}
        </ul>
      </TodoList>
      <TodoList id="incidents" title="Open incidents" count={open.items.length} empty="No open incident.">
        <p data-testid="todo-incidents-by-severity">
          {open.bySeverity.map((s) => `${s.count} ${s.severity}`).join(" · ")}
        </p>
        <ul>
          {open.items.map((i) => (
            <li key={i.id}>
              <span className="badge">{i.severity}</span> <Link href={`/incidents/${i.id}`}>{i.title}</Link> · {i.status} since {when(i.openedAt)}
            </li>
          ))}
        </ul>
      </TodoList>
      <TodoList id="near-limit" title="Lineages near their limit" count={todo.nearLimit.length} empty="No dataset has spent 80% of its budget.">
        <ul>
          {todo.nearLimit.map((b) => (
            <li key={b.datasetId}>
              <Link href={`/budgets#budget-${b.datasetId}`}>{b.datasetName}</Link>: spent ε = <Num value={b.spent} /> of <Num value={b.limit} />, left ε ={" "}
              <Num value={b.left} />
            </li>
          ))}
        </ul>
      </TodoList>
      <TodoList id="drift" title="Drift alerts (last 14 days)" count={todo.driftAlerts.length} empty="No leakage test or drift probe has alerted.">
        <ul>
          {todo.driftAlerts.map((a) => (
            <li key={a.reportId}>
              <Link href={`/models/${a.versionId}`}>{a.label}</Link>: leakage tests ({LEAKAGE_KIND[a.kind]}) alerted {when(a.computedAt)} ·{" "}
              <Link href="/monitoring">monitoring</Link>
            </li>
          ))}
        </ul>
      </TodoList>
    </>
  );
}
