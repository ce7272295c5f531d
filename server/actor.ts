// The audit actor for a signed-in user.
import type { Actor } from "./audit/service";
import type { SessionUser } from "./context";

export function actorOf(user: SessionUser): Actor {
  return { id: user.id, email: user.email, role: user.role };
}
