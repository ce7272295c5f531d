// The dashboard's home: the sections this user may open.
import Link from "next/link";
import { orRedirect, serverCaller } from "@/app/_trpc/server";

export default async function HomePage() {
  const caller = await serverCaller();
  const { user, sections } = await orRedirect(() => caller.session.me());
  return (
    <>
      <h1>Welcome, {user.name}</h1>
      <p className="muted">You are signed in as {user.roleLabel}.</p>
      {sections.map((s) => (
        <div className="card" key={s.id}>
          <Link href={s.href}>
            <strong>{s.label}</strong>
          </Link>
          <p>{s.summary}</p>
        </div>
      ))}
    </>
  );
}
