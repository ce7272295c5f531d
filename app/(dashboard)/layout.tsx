// The signed-in shell: navigation limited to the user's sections, and who is signed in with which role.
import type { ReactNode } from "react";
import Link from "next/link";
import { orRedirect, serverCaller } from "@/app/_trpc/server";
import { NavLinks } from "@/app/_components/nav-links";
import { SignOutButton } from "@/app/_components/sign-out-button";
import { InboxLink } from "./inbox/inbox-link";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const caller = await serverCaller();
  const { user, sections } = await orRedirect(() => caller.session.me());
  return (
    <div className="shell">
      <aside className="sidebar">
        <Link href="/" className="brand">
          Epsilon Ledger
        </Link>
        <NavLinks links={sections.map((s) => ({ href: s.href, label: s.label }))} />
        <InboxLink />
        <div className="who" data-testid="signed-in-user">
          <strong>{user.name}</strong>
          <span>{user.email}</span>
          <span className="badge" data-testid="signed-in-role">
            {user.roleLabel}
          </span>
          <SignOutButton />
        </div>
      </aside>
      <main>{children}</main>
    </div>
  );
}
