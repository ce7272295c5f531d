// Inbox: the signed-in user's own notifications (a budget request decided, a run of theirs ended, an incident assigned).
import { orRedirect, serverCaller } from "@/app/_trpc/server";
import { InboxView } from "./inbox-view";

export default async function InboxPage() {
  const caller = await serverCaller();
  await orRedirect(() => caller.session.me());
  return (
    <>
      <h1>Inbox</h1>
      <InboxView />
    </>
  );
}
