"use client";
// The navigation's link to the inbox, with the number of unread notifications (refetched every half minute and after
// any change to the inbox).
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/app/_trpc/client";

export function InboxLink() {
  const trpc = useTRPC();
  const pathname = usePathname() ?? "";
  const unread = useQuery(trpc.notifications.unreadCount.queryOptions(undefined, { refetchInterval: 30_000 })).data?.unread ?? 0;
  return (
    <nav className="nav" aria-label="Inbox">
      <Link href="/inbox" aria-current={pathname === "/inbox" ? "page" : undefined} data-testid="inbox-link">
        Inbox{" "}
        {unread > 0 && (
          <span className="badge" data-testid="inbox-unread">
            {unread} unread
          </span>
        )}
      </Link>
    </nav>
  );
}
