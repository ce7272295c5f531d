"use client";
// The user's notifications, newest first: each says what happened and links to where it is; unread ones can be
// marked read one by one or all at once.
import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ErrorMessage } from "@/app/_components/error-message";
import { when } from "@/app/_components/format";
import { useTRPC } from "@/app/_trpc/client";

export function InboxView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = { onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.notifications.pathKey() }) };
  const inbox = useQuery(trpc.notifications.list.queryOptions());
  const markRead = useMutation(trpc.notifications.markRead.mutationOptions(refresh));
  const markAll = useMutation(trpc.notifications.markAllRead.mutationOptions(refresh));
  if (inbox.error) return <ErrorMessage error={inbox.error} />;
  if (!inbox.data) return <p className="muted">Loading…</p>;
  const { items, unread } = inbox.data;
  return (
    <>
      <p data-testid="inbox-summary">
        {unread === 0 ? "Nothing unread." : `${unread} unread.`}{" "}
        {unread > 0 && (
          <button type="button" className="secondary" onClick={() => markAll.mutate()} disabled={markAll.isPending}>
            Mark all read
          </button>
        )}
      </p>
      <ErrorMessage error={markRead.error ?? markAll.error} />
      {items.length === 0 ? (
        <p className="muted">No notifications yet: you are told here when a budget request is decided, a run of yours ends or an incident is assigned to you.</p>
      ) : (
        <ul className="inbox">
          {items.map((n) => (
            <li key={n.id} data-testid="notification" data-read={n.readAt ? "read" : "unread"} className={n.readAt ? "muted" : undefined}>
              {!n.readAt && <span className="badge">new</span>} <Link href={n.href} onClick={() => n.readAt || markRead.mutate({ id: n.id })}>
                {n.text}
              </Link> <span className="muted">· {when(n.createdAt)}</span>
              {!n.readAt && (
                <>
                  {" "}
                  <button type="button" className="secondary" aria-label={`Mark read: ${n.text}`} onClick={() => markRead.mutate({ id: n.id })} disabled={markRead.isPending}>
                    Mark read
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
