// Federation: the institutions (parties) that train together without pooling their records, with their status, last
// round and stated data size; admins register parties (one-time enrolment tokens) and revoke them; engineers launch
// federated runs (/federation?from=<runId> fills the form with a federated run's settings).
import { enterSection } from "@/app/_trpc/server";
import { fromRunParam } from "../runs/launch-settings";
import { FederationView } from "./federation-view";

export default async function FederationPage({ searchParams }: { searchParams: Promise<{ from?: string | string[] }> }) {
  const section = await enterSection("federation");
  const source = fromRunParam((await searchParams).from);
  return (
    <>
      <h1>{section.label}</h1>
      <FederationView can={section.can} from={source} />
    </>
  );
}
