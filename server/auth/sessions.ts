// Server-side revocation of sessions: a session is valid only while it carries its user's current session version,
// which sign-out, disabling and re-enabling raise.
import { eq, sql } from "drizzle-orm";
import type { Db, Tx } from "../../db/client";
import { users } from "../../db/schema";
import { audited } from "../audit/service";

export interface SessionClaims {
  userId: string;
  /** The user's session version when the session was issued. */
  sessionVersion: number;
}

/** Voids every session the user holds now; call it inside the transaction that makes the change. */
export function raiseSessionVersion(tx: Tx, userId: string): void {
  tx.update(users)
    .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, userId))
    .run();
}

/**
 * Sign-out: ends all of the user's sessions (audited as `session.sign_out`). A session that is already void
 * changes nothing, so a stale copied cookie cannot write to the audit log. Returns whether sessions were ended.
 */
export function endSessions(db: Db, session: SessionClaims): boolean {
  const user = db.select().from(users).where(eq(users.id, session.userId)).get();
  if (!user || user.sessionVersion !== session.sessionVersion) return false;
  const actor = { id: user.id, email: user.email, role: user.role };
  audited(db, { actor, action: "session.sign_out", entityType: "user", entityId: user.id, input: session }, (tx) =>
    raiseSessionVersion(tx, user.id),
  );
  return true;
}
