// Admin: users and roles.
import { enterSection } from "@/app/_trpc/server";
import { UsersAdmin } from "./users-admin";

export default async function AdminPage() {
  const section = await enterSection("admin");
  return (
    <>
      <h1>{section.label}</h1>
      <UsersAdmin selfId={section.userId} />
    </>
  );
}
