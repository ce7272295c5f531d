// Budgets: each dataset's privacy budget, its composed spend over time, requests and decisions.
import { enterSection } from "@/app/_trpc/server";
import { BudgetsView } from "./budgets-view";

export default async function BudgetsPage() {
  const section = await enterSection("budgets");
  return (
    <>
      <h1>{section.label}</h1>
      <BudgetsView can={section.can} />
    </>
  );
}
