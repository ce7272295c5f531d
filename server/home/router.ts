// tRPC procedure for the home page: the signed-in user's to-do list, for their role.
import { router, signedInProcedure } from "../trpc";
import { todo } from "./service";

export const homeRouter = router({
  todo: signedInProcedure.query(({ ctx }) => todo(ctx.db, ctx.user)),
});
