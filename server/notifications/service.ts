// The notification inbox: services tell a person about what concerns them inside the transaction of the change itself
// (notify), and each user reads and marks only their own.
import { and, count, desc, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { first, type Db, type Executor, type Tx } from "../../db/client";
import { notifications, type NotificationKind } from "../../db/schema";
import type { UserActor } from "../actor";
import { audited } from "../audit/service";
import { AppError } from "../errors";

export const markReadInput = z.object({ id: z.number().int().positive() });

/** The inbox shows the newest this many. */
export const INBOX_SIZE = 100;

export interface NewNotification {
  userId: string;
  kind: NotificationKind;
  text: string;
  href: string;
}

/** Tells a user something; call it with the transaction (`tx`) of the change that causes it, so both happen or neither. */
export async function notify(tx: Tx, notification: NewNotification): Promise<void> {
  await tx.insert(notifications).values(notification);
}

const columns = {
  id: notifications.id,
  kind: notifications.kind,
  text: notifications.text,
  href: notifications.href,
  createdAt: notifications.createdAt,
  readAt: notifications.readAt,
};

/** The user's own notifications, newest first, with how many are unread. */
export async function inbox(db: Executor, userId: string) {
  return {
    items: await db.select(columns).from(notifications).where(eq(notifications.userId, userId)).orderBy(desc(notifications.id)).limit(INBOX_SIZE),
    unread: await unreadCount(db, userId),
  };
}

export async function unreadCount(db: Executor, userId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(notifications).where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
  return row!.n;
}

/** Marks one of the user's own notifications read; someone else's answers NOT_FOUND, like one that does not exist. */
export function markRead(db: Db, actor: UserActor, input: z.infer<typeof markReadInput>) {
  return audited(db, { actor, action: "notification.read", entityType: "notification", entityId: String(input.id), input }, async (tx) => {
    const mine = and(eq(notifications.id, input.id), eq(notifications.userId, actor.id));
    if (!(await first(tx.select({ id: notifications.id }).from(notifications).where(mine)))) throw new AppError("NOT_FOUND", "No such notification.");
    await tx.update(notifications).set({ readAt: new Date().toISOString() }).where(and(mine, isNull(notifications.readAt)));
    return { unread: await unreadCount(tx, actor.id) };
  });
}

/** Marks every unread notification of the user read (with none unread, nothing changes and nothing is audited). */
export async function markAllRead(db: Db, actor: UserActor) {
  if ((await unreadCount(db, actor.id)) === 0) return { marked: 0, unread: 0 };
  return audited(db, { actor, action: "notification.read_all", entityType: "user", entityId: actor.id, input: {} }, async (tx) => {
    const marked = await tx
      .update(notifications)
      .set({ readAt: new Date().toISOString() })
      .where(and(eq(notifications.userId, actor.id), isNull(notifications.readAt)))
      .returning({ id: notifications.id });
    return { marked: marked.length, unread: 0 };
  });
}
