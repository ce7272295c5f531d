// One block of a to-do list: a heading with how many items wait, the items, or a line saying nothing waits.
import type { ReactNode } from "react";

export function TodoList({ id, title, count, empty, children }: { id: string; title: string; count: number; empty: string; children: ReactNode }) {
  return (
    <section className="card" data-testid={`todo-${id}`} aria-labelledby={`todo-${id}-title`}>
      <h2 id={`todo-${id}-title`}>
        {title} <span className="badge">{count}</span>
      </h2>
      {count === 0 ? <p className="muted">{empty}</p> : children}
    </section>
  );
}
