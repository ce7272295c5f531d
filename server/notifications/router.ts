// tRPC procedures for the inbox: every signed-in user reads and marks their own notifications, and nobody else's.
import { z } from "zod";
import { router, signedInProcedure } from "../trpc";
import { inbox, markAllRead, markRead, markReadInput, unreadCount } from "./service";

export const notificationsRouter = router({
  /** The inbox page: the newest notifications and how many are unread. */
  list: signedInProcedure.query(({ ctx }) => inbox(ctx.db, ctx.user.id)),
  /** The navigation's badge. */
  unreadCount: signedInProcedure.query(async ({ ctx }) => ({ unread: await unreadCount(ctx.db, ctx.user.id) })),
  markRead: signedInProcedure.input(markReadInput).mutation(({ ctx, input }) => markRead(ctx.db, ctx.actor, input)),
  /** Takes nothing (an empty object at most): anything else is a client error. */
  markAllRead: signedInProcedure.input(z.strictObject({}).optional()).mutation(({ ctx }) => markAllRead(ctx.db, ctx.actor)),
});
