// Datasets: the datasets this user may see, and (for engineers) uploading a new one or a new version.
import { enterSection } from "@/app/_trpc/server";
import { DatasetsView } from "./datasets-view";

export default async function DatasetsPage() {
  const section = await enterSection("datasets");
  return (
    <>
      <h1>{section.label}</h1>
      <DatasetsView can={section.can} />
    </>
  );
}
