// "Train on synthetic, test on real" for a synthetic version with labels: the project's n-gram classifier trained on
// the synthetic records, and the same classifier trained on the source run's real training records, each predicting
// the labels of the run's held-out records. Internal figures (they read real records), not DP.
import { classificationMetrics } from "../../trainer/contract/classification-metrics";
import { trainNgramClassifier, type Example } from "../../trainer/contract/ngram-classifier";
import type { Utility } from "./report";
import type { SyntheticRecord } from "./validation";

export function syntheticUtility(synthetic: readonly SyntheticRecord[], real: { train: readonly Example[]; heldOut: readonly Example[] }, labels: readonly string[]): Utility {
  if (labels.length < 2) return { skipped: "The records carry fewer than two of the source run's labels." };
  const test = real.heldOut.filter((e) => labels.includes(e.label));
  const made = synthetic.flatMap((r) => (r.label !== null && labels.includes(r.label) ? [{ text: r.text, label: r.label }] : []));
  if (test.length === 0) return { skipped: "The source run held out no record with one of these labels." };
  if (made.length === 0) return { skipped: "No synthetic record carries one of the source run's labels." };
  const scored = (train: readonly Example[]) => {
    const classifier = trainNgramClassifier(train, labels);
    const { accuracy, macro_f1 } = classificationMetrics(test.map((e) => e.label), test.map((e) => classifier.predict(e.text)), labels);
    return { accuracy, macro_f1 };
  };
  return { labels: [...labels], test_records: test.length, synthetic: scored(made), real: scored(real.train) };
}
