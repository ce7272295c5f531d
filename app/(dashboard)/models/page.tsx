// Models: the registry of base and fine-tuned versions; each version has its own page (./[versionId]/page.tsx).
import { enterSection } from "@/app/_trpc/server";
import { ModelsView } from "./models-view";

export default async function ModelsPage() {
  const section = await enterSection("models");
  return (
    <>
      <h1>{section.label}</h1>
      <ModelsView />
    </>
  );
}
