// The notification inbox: services tell a person about what concerns them inside the transaction of the change itself
// (notify), and each user reads and marks only their own.
import { and, count, desc, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Db, Executor } from "../../db/client";
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
export function notify(tx: Executor, notification: NewNotification): void {
  tx.insert(notifications).values(notification).run();
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
export function inbox(db: Executor, userId: string) {
  return {
    items: db.select(columns).from(notifications).where(eq(notifications.userId, userId)).orderBy(desc(notifications.id)).limit(INBOX_SIZE).all(),
    unread: unreadCount(db, userId),
  };
}

export function unreadCount(db: Executor, userId: string): number {
  return db.select({ n: count() }).from(notifications).where(and(eq(notifications.userId, userId), isNull(notifications.readAt))).get()!.n;
}

/** Marks one of the user's own notifications read; someone else's answers NOT_FOUND, like one that does not exist. */
export function markRead(db: Db, actor: UserActor, input: z.infer<typeof markReadInput>) {
  return audited(db, { actor, action: "notification.read", entityType: "notification", entityId: String(input.id), input }, (tx) => {
    const mine = and(eq(notifications.id, input.id), eq(notifications.userId, actor.id));
    if (!tx.select({ id: notifications.id }).from(notifications).where(mine).get()) throw new AppError("NOT_FOUND", "No such notification.");
    tx.update(notifications).set({ readAt: new Date().toISOString() }).where(and(mine, isNull(notifications.readAt))).run();
    return { unread: unreadCount(tx, actor.id) };
  });
}

/** Marks every unread notification of the user read (with none unread, nothing changes and nothing is audited). */
export function markAllRead(db: Db, actor: UserActor) {
  if (unreadCount(db, actor.id) === 0) return { marked: 0, unread: 0 };
  return audited(db, { actor, action: "notification.read_all", entityType: "user", entityId: actor.id, input: {} }, (tx) => {
    const marked = tx
      .update(notifications)
      .set({ readAt: new Date().toISOString() })
      .where(and(eq(notifications.userId, actor.id), isNull(notifications.readAt)))
      .run().changes;
    return { marked, unread: 0 };
  });
}
