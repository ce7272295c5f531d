// tRPC procedures for user administration (admins only); the rules live in ./service.
import { router, roleProcedure } from "../trpc";
import { actorOf } from "../actor";
import { changeRole, changeRoleInput, createUser, createUserInput, listUsers, setDisabled, setDisabledInput } from "./service";

const admin = roleProcedure("admin");

export const usersRouter = router({
  list: admin.query(({ ctx }) => listUsers(ctx.db)),
  create: admin.input(createUserInput).mutation(({ ctx, input }) => createUser(ctx.db, actorOf(ctx.user), input)),
  changeRole: admin.input(changeRoleInput).mutation(({ ctx, input }) => changeRole(ctx.db, actorOf(ctx.user), input)),
  setDisabled: admin.input(setDisabledInput).mutation(({ ctx, input }) => setDisabled(ctx.db, actorOf(ctx.user), input)),
});
