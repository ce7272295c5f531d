// One dataset: its versions with digests, counts and PII reports, minimisation, and who may train on it.
import { enterSection } from "@/app/_trpc/server";
import { DatasetDetail } from "./dataset-detail";

export default async function DatasetPage({ params }: { params: Promise<{ datasetId: string }> }) {
  const section = await enterSection("datasets");
  const { datasetId } = await params;
  return <DatasetDetail datasetId={datasetId} can={section.can} />;
}
