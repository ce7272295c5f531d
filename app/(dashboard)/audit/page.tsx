// Audit: the hash-chained log of every governance change, filtered and paged, with a chain check.
import { enterSection } from "@/app/_trpc/server";
import { AuditLog } from "./audit-log";
import { TreeHeads } from "./tree-heads";

export default async function AuditPage() {
  const section = await enterSection("audit");
  return (
    <>
      <h1>{section.label}</h1>
      <TreeHeads />
      <AuditLog can={section.can} />
    </>
  );
}
