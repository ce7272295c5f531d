// User administration: create users, change roles, disable and enable; each change is audited in its transaction.
import { randomUUID } from "node:crypto";
import { and, asc, count, eq, ne } from "drizzle-orm";
import { z } from "zod";
import { first, type Db, type Executor, type Tx } from "../../db/client";
import { ROLES, users, type Role } from "../../db/schema";
import { audited, type Actor } from "../audit/service";
import { hashPassword, passwordSchema } from "../auth/password";
import { raiseSessionVersion } from "../auth/sessions";
import { AppError } from "../errors";
import { lineText } from "../validation";

const email = z.string().trim().toLowerCase().max(320).pipe(z.email("Enter a valid email address"));

export const createUserInput = z.object({
  email,
  name: lineText().min(1, "Enter a name").max(200),
  role: z.enum(ROLES),
  /** Omit for an account that signs in only through OIDC. */
  password: passwordSchema.optional(),
});
export const changeRoleInput = z.object({ userId: z.uuid(), role: z.enum(ROLES) });
export const setDisabledInput = z.object({ userId: z.uuid(), disabled: z.boolean() });

/** What the dashboard may see of a user: never the password hash. */
const publicColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  disabled: users.disabled,
  createdAt: users.createdAt,
  updatedAt: users.updatedAt,
};

export async function listUsers(db: Db) {
  return db.select(publicColumns).from(users).orderBy(asc(users.email));
}

/** Active users of one role, by email: the engineers who may be granted access, the officers who may own an incident. */
export async function activeUsersWithRole(db: Executor, role: Role) {
  return db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(and(eq(users.role, role), eq(users.disabled, false)))
    .orderBy(asc(users.email));
}

export async function createUser(db: Db, actor: Actor, input: z.infer<typeof createUserInput>) {
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  const id = randomUUID();
  return audited(db, { actor, action: "user.create", entityType: "user", entityId: id, input }, async (tx) => {
    if (await first(tx.select({ id: users.id }).from(users).where(eq(users.email, input.email)))) {
      throw new AppError("CONFLICT", `A user with the email ${input.email} already exists.`);
    }
    await tx.insert(users).values({ id, email: input.email, name: input.name, role: input.role, passwordHash });
    return (await first(tx.select(publicColumns).from(users).where(eq(users.id, id))))!;
  });
}

export function changeRole(db: Db, actor: Actor, input: z.infer<typeof changeRoleInput>) {
  return audited(db, { actor, action: "user.change_role", entityType: "user", entityId: input.userId, input }, async (tx) => {
    const user = await existingUser(tx, input.userId);
    if (user.role === "admin" && input.role !== "admin") await keepAnAdmin(tx, user.id, "demote");
    return updateUser(tx, user.id, { role: input.role });
  });
}

export function setDisabled(db: Db, actor: Actor, input: z.infer<typeof setDisabledInput>) {
  const action = input.disabled ? "user.disable" : "user.enable";
  return audited(db, { actor, action, entityType: "user", entityId: input.userId, input }, async (tx) => {
    const user = await existingUser(tx, input.userId);
    if (input.disabled && user.id === actor.id) throw new AppError("BAD_REQUEST", "You cannot disable your own account.");
    if (input.disabled && user.role === "admin") await keepAnAdmin(tx, user.id, "disable");
    // Disabling voids the user's sessions, and so does enabling: cookies issued before never come back to life.
    await raiseSessionVersion(tx, user.id);
    return updateUser(tx, user.id, { disabled: input.disabled });
  });
}

async function existingUser(tx: Tx, id: string) {
  const user = await first(tx.select(publicColumns).from(users).where(eq(users.id, id)));
  if (!user) throw new AppError("NOT_FOUND", "No such user.");
  return user;
}

/** Refuses a change that would leave no active admin, since nobody could then manage users. */
async function keepAnAdmin(tx: Tx, changingUserId: string, verb: string) {
  const others = await first(
    tx
      .select({ n: count() })
      .from(users)
      .where(and(eq(users.role, "admin"), eq(users.disabled, false), ne(users.id, changingUserId))),
  );
  if ((others?.n ?? 0) === 0) throw new AppError("CONFLICT", `Cannot ${verb} the last active admin.`);
}

async function updateUser(tx: Tx, id: string, set: Partial<{ role: (typeof ROLES)[number]; disabled: boolean }>) {
  await tx
    .update(users)
    .set({ ...set, updatedAt: new Date().toISOString() })
    .where(eq(users.id, id));
  return existingUser(tx, id);
}
