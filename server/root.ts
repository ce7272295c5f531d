// The app's tRPC router: one sub-router per domain folder of server/.
import { auditRouter } from "./audit/router";
import { sessionRouter } from "./session/router";
import { createCallerFactory, router } from "./trpc";
import { usersRouter } from "./users/router";

export const appRouter = router({
  session: sessionRouter,
  users: usersRouter,
  audit: auditRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
