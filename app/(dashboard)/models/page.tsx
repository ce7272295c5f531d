// Models: the registry of base and fine-tuned versions, their lineage, status and the guarantee each carries.
import { enterSection } from "@/app/_trpc/server";
import { ModelsView } from "./models-view";

export default async function ModelsPage() {
  const section = await enterSection("models");
  return (
    <>
      <h1>{section.label}</h1>
      <ModelsView can={section.can} />
    </>
  );
}
