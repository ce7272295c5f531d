// The Budgets section (a placeholder until its issue lands).
import { SectionPlaceholder } from "../../_components/section-placeholder";
import { enterSection } from "../../_trpc/server";

export default async function BudgetsPage() {
  return <SectionPlaceholder section={await enterSection("budgets")} />;
}
