// tRPC procedures for user administration (admins only); the rules live in ./service.
import { allowedTo, router } from "../trpc";
import { changeRole, changeRoleInput, createUser, createUserInput, listUsers, setDisabled, setDisabledInput } from "./service";

const admin = allowedTo("administer");

export const usersRouter = router({
  list: admin.query(({ ctx }) => listUsers(ctx.db)),
  create: admin.input(createUserInput).mutation(({ ctx, input }) => createUser(ctx.db, ctx.actor, input)),
  changeRole: admin.input(changeRoleInput).mutation(({ ctx, input }) => changeRole(ctx.db, ctx.actor, input)),
  setDisabled: admin.input(setDisabledInput).mutation(({ ctx, input }) => setDisabled(ctx.db, ctx.actor, input)),
});
