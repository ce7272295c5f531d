// The admin's to-do list: the users by role (and who is disabled), and the failed sign-ins of the last day.
import Link from "next/link";
import { when } from "@/app/_components/format";
import type { RouterOutputs } from "@/app/_trpc/types";
import { TodoList } from "./todo-list";
import { ROLE_LABELS } from "@/server/auth/access";

type AdminTodo = Extract<RouterOutputs["home"]["todo"], { role: "admin" }>;

export function AdminTodoView({ todo }: { todo: AdminTodo }) {
  return (
    <>
      <TodoList id="users" title="Users" count={todo.users.length} empty="No users.">
        <p>
          <Link href="/admin">Manage users and roles</Link>
        </p>
        <table>
          <thead>
            <tr>
              <th>User</th>
              <th>Role</th>
              <th>State</th>
            </tr>
          </thead>
          <tbody>
            {todo.users.map((u) => (
              <tr key={u.id} data-testid="todo-user">
                <td>
                  {u.name} &lt;{u.email}&gt;
                </td>
                <td>{ROLE_LABELS[u.role]}</td>
                <td>{u.disabled ? <span className="badge error">disabled</span> : "active"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TodoList>
      <TodoList id="sign-in-failures" title="Failed sign-ins (last 24 hours)" count={todo.signInFailures.length} empty="No failed sign-in in the last 24 hours.">
        <table>
          <thead>
            <tr>
              <th>Account or address</th>
              <th>Failures</th>
              <th>Last</th>
              <th>Slowed down until</th>
            </tr>
          </thead>
          <tbody>
            {todo.signInFailures.map((f) => (
              <tr key={`${f.by}:${f.who}`} data-testid="todo-sign-in-failure">
                <td>
                  {f.by} {f.who}
                </td>
                <td>{f.failures}</td>
                <td>{when(f.lastFailureAt)}</td>
                <td>{f.blockedUntil ? when(f.blockedUntil) : "–"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TodoList>
    </>
  );
}
