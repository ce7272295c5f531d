// Federation: the institutions (parties) that train together without pooling their records, with their status, last
// round and stated data size; admins register parties (one-time enrolment tokens) and revoke them.
import { enterSection } from "@/app/_trpc/server";
import { FederationView } from "./federation-view";

export default async function FederationPage() {
  const section = await enterSection("federation");
  return (
    <>
      <h1>{section.label}</h1>
      <FederationView can={section.can} />
    </>
  );
}
