// The dashboard's home: the signed-in user's to-do list for their role, each item linked to where the work is done.
import { orRedirect, serverCaller } from "@/app/_trpc/server";
import type { Can } from "@/app/_trpc/types";
import { AdminTodoView } from "./_home/admin-todo";
import { AuditorTodoView } from "./_home/auditor-todo";
import { EngineerTodoView } from "./_home/engineer-todo";
import { OfficerTodoView } from "./_home/officer-todo";

export default async function HomePage() {
  const caller = await serverCaller();
  const [{ user }, todo, can] = await orRedirect(() => Promise.all([caller.session.me(), caller.home.todo(), caller.session.can()]));
  return (
    <>
      <h1>Welcome, {user.name}</h1>
      <p className="muted">You are signed in as {user.roleLabel}. What waits for you:</p>
      {todo.role === "privacy_officer" && <OfficerTodoView todo={todo} can={can as Can} />}
      {todo.role === "engineer" && <EngineerTodoView todo={todo} />}
      {todo.role === "auditor" && <AuditorTodoView todo={todo} />}
      {todo.role === "admin" && <AdminTodoView todo={todo} />}
    </>
  );
}
