// What the procedures return, for typing the props of components that show it.
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../server/root";

export type RouterOutputs = inferRouterOutputs<AppRouter>;
