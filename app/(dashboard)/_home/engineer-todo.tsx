// The engineer's to-do list: their running and recent runs, their budget requests with the answers, and the datasets
// they may train on with the budget left (or a link to ask for a first one).
import Link from "next/link";
import { Num } from "@/app/_components/num";
import { when } from "@/app/_components/format";
import type { RouterOutputs } from "@/app/_trpc/types";
import { TodoList } from "./todo-list";

type EngineerTodo = Extract<RouterOutputs["home"]["todo"], { role: "engineer" }>;
type RunRow = EngineerTodo["runs"]["active"][number];

function RunItem({ run }: { run: RunRow }) {
  return (
    <li>
      <Link href={`/runs/${run.id}`}>run {run.id.slice(0, 8)}</Link> on {run.datasetName}: <strong>{run.status}</strong>
      {run.endedAt ? ` ${when(run.endedAt)}` : ` since ${when(run.createdAt)}`}
      {run.status === "failed" && run.statusReason && <span className="muted"> · {run.statusReason}</span>}
    </li>
  );
}

export function EngineerTodoView({ todo }: { todo: EngineerTodo }) {
  const { active, recent } = todo.runs;
  return (
    <>
      <TodoList id="runs" title="Your runs" count={active.length + recent.length} empty="You have launched no run yet.">
        {active.length > 0 && (
          <>
            <h3>Running or queued</h3>
            <ul>
              {active.map((r) => (
                <RunItem key={r.id} run={r} />
              ))}
            </ul>
          </>
        )}
        {recent.length > 0 && (
          <>
            <h3>Recent</h3>
            <ul>
              {recent.map((r) => (
                <RunItem key={r.id} run={r} />
              ))}
            </ul>
          </>
        )}
      </TodoList>
      <TodoList id="my-requests" title="Your budget requests" count={todo.requests.length} empty="You have asked for no budget yet.">
        <ul>
          {todo.requests.map((r) => (
            <li key={r.id} data-testid="todo-my-request">
              <Link href={`/budgets#budget-${r.datasetId}`}>{r.datasetName}</Link>: ε = <Num value={r.epsilon} /> · <strong>{r.status}</strong>
              {r.decisionReason && ` (${r.decisionReason})`} · asked {when(r.createdAt)}
            </li>
          ))}
        </ul>
      </TodoList>
      <TodoList id="datasets" title="Datasets you may train on" count={todo.datasets.length} empty="No dataset is shared with you yet: ask a privacy officer.">
        <ul>
          {todo.datasets.map((d) => (
            <li key={d.id} data-testid={`todo-dataset-${d.name}`}>
              <Link href={`/datasets/${d.id}`}>{d.name}</Link>:{" "}
              {d.budget ? (
                <>
                  ε <Num value={d.budget.left} /> left of <Num value={d.budget.limit} />
                  {d.budget.frozen && <span className="badge error"> frozen</span>} · <Link href="/runs">launch a run</Link>
                </>
              ) : (
                <>
                  no budget yet · <Link href={`/budgets#budget-${d.id}`}>ask for a first budget</Link>
                </>
              )}
            </li>
          ))}
        </ul>
      </TodoList>
    </>
  );
}
