// The auditor's to-do list: the latest provenance exports and the versions to export, the audit chain's status, and
// recent incidents.
import Link from "next/link";
import { when } from "@/app/_components/format";
import type { RouterOutputs } from "@/app/_trpc/types";
import { TodoList } from "./todo-list";

type AuditorTodo = Extract<RouterOutputs["home"]["todo"], { role: "auditor" }>;

export function AuditorTodoView({ todo }: { todo: AuditorTodo }) {
  const chain = todo.chain;
  return (
    <>
      <section className="card" data-testid="todo-chain" aria-labelledby="todo-chain-title">
        <h2 id="todo-chain-title">Audit chain</h2>
        {chain.ok ? (
          <p>
            <span className="badge">intact</span> {chain.entries} entries verified, head <code>{chain.head.slice(0, 16)}…</code> ·{" "}
            <Link href="/audit">audit log</Link>
          </p>
        ) : (
          <p className="error" role="alert">
            Broken at entry #{chain.brokenAt}: {chain.reason} · <Link href="/audit">audit log</Link>
          </p>
        )}
      </section>
      <TodoList id="exports" title="Latest provenance exports" count={todo.exports.length} empty="No provenance export is recorded yet.">
        <ul>
          {todo.exports.map((e) => (
            <li key={e.seq}>
              <Link href={`/models/${e.entityId}`}>model version {e.entityId.slice(0, 8)}</Link> exported by {e.actorEmail} · {when(e.at)}
            </li>
          ))}
        </ul>
      </TodoList>
      <TodoList id="exportable" title="Fine-tuned versions to export" count={todo.exportable.length} empty="No fine-tuned model version yet.">
        <ul>
          {todo.exportable.map((v) => (
            <li key={v.id}>
              <Link href={`/models/${v.id}`}>{v.label}</Link> ({v.status}) · <a href={`/api/models/${v.id}/provenance`}>export provenance</a>
            </li>
          ))}
        </ul>
      </TodoList>
      <TodoList id="recent-incidents" title="Recent incidents" count={todo.recentIncidents.length} empty="No incident has been opened.">
        <ul>
          {todo.recentIncidents.map((i) => (
            <li key={i.id}>
              <span className="badge">{i.severity}</span> <Link href={`/incidents/${i.id}`}>{i.title}</Link> · {i.status} · opened {when(i.openedAt)}
            </li>
          ))}
        </ul>
      </TodoList>
    </>
  );
}
