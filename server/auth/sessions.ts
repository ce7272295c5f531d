// Server-side revocation of sessions: a session is valid only while it carries its user's current session version,
// which sign-out, disabling and re-enabling raise.
import { eq, sql } from "drizzle-orm";
import { engineOf, first, transaction, type Db, type Tx } from "../../db/client";
import { users } from "../../db/schema";
import { audited } from "../audit/service";

export interface SessionClaims {
  userId: string;
  /** The user's session version when the session was issued. */
  sessionVersion: number;
}

/** Voids every session the user holds now; call it inside the transaction that makes the change. */
export async function raiseSessionVersion(tx: Tx, userId: string): Promise<void> {
  await tx
    .update(users)
    .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, userId));
}

/**
 * Sign-out: ends all of the user's sessions (audited as `session.sign_out`). A session that is already void
 * changes nothing, so a stale copied cookie cannot write to the audit log. Returns whether sessions were ended.
 */
export function endSessions(db: Db, session: SessionClaims): Promise<boolean> {
  // The version is checked and raised in one transaction, so two sign-outs of one session end it (and log it) once.
  return transaction(db, async (tx) => {
    await engineOf(tx).lockRow(tx, "users", session.userId);
    const user = await first(tx.select().from(users).where(eq(users.id, session.userId)));
    if (!user || user.sessionVersion !== session.sessionVersion) return false;
    const actor = { id: user.id, email: user.email, role: user.role };
    await audited(tx, { actor, action: "session.sign_out", entityType: "user", entityId: user.id, input: session }, (tx) =>
      raiseSessionVersion(tx, user.id),
    );
    return true;
  });
}
