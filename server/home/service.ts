// The home page's to-do list: one query per role, each listing the work waiting for that role and where it is done.
import type { Executor } from "../../db/client";
import type { SessionUser } from "../context";
import { adminTodo } from "./admin";
import { auditorTodo } from "./auditor";
import { engineerTodo } from "./engineer";
import { officerTodo } from "./officer";

export async function todo(db: Executor, user: SessionUser) {
  switch (user.role) {
    case "privacy_officer":
      return officerTodo(db);
    case "engineer":
      return engineerTodo(db, user);
    case "auditor":
      return auditorTodo(db);
    case "admin":
      return adminTodo(db);
  }
}

export type Todo = Awaited<ReturnType<typeof todo>>;
