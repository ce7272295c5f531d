"use client";
// The sidebar's links, marking the current page; under the narrow-screen breakpoint they fold behind a Menu button.
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState, type ReactNode } from "react";

export function NavLinks({ links, children }: { links: { href: string; label: string }[]; children?: ReactNode }) {
  const pathname = usePathname() ?? "";
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="secondary menu-toggle" aria-expanded={open} aria-controls="sidebar-panel" onClick={() => setOpen(!open)}>
        {open ? "Close menu" : "Menu"}
      </button>
      <div id="sidebar-panel" className={open ? "sidebar-panel open" : "sidebar-panel"}>
        <nav className="nav" aria-label="Sections">
          {links.map((l) => (
            <Link key={l.href} href={l.href} aria-current={pathname.startsWith(l.href) ? "page" : undefined} onClick={() => setOpen(false)}>
              {l.label}
            </Link>
          ))}
        </nav>
        {children}
      </div>
    </>
  );
}
