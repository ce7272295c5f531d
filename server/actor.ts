// The audit actor for a signed-in user.
import type { Actor } from "./audit/service";
import type { SessionUser } from "./context";

/** A signed-in user as the audit log names them (their id is always known, unlike the system's). */
export type UserActor = Actor & { id: string };

export function actorOf(user: SessionUser): UserActor {
  return { id: user.id, email: user.email, role: user.role };
}
