// How well predicted labels match the true ones: accuracy, and per label precision, recall and F1 with their
// unweighted mean (macro-F1, which a majority-label guess cannot score well on). Plain arithmetic, no TF.

export interface LabelMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** True records of the label. */
  support: number;
}

export interface ClassificationMetrics {
  records: number;
  accuracy: number;
  macro_f1: number;
  per_label: Record<string, LabelMetrics>;
}

/** The metrics of `predicted` against `truth` (same order) over `labels`; a label never predicted nor true counts F1 0. */
export function classificationMetrics(truth: readonly string[], predicted: readonly string[], labels: readonly string[]): ClassificationMetrics {
  if (truth.length !== predicted.length) throw new RangeError(`${truth.length} true labels against ${predicted.length} predictions`);
  if (truth.length === 0) throw new RangeError("no records to measure");
  const perLabel: Record<string, LabelMetrics> = {};
  for (const label of labels) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    truth.forEach((t, i) => {
      const p = predicted[i];
      if (p === label && t === label) tp += 1;
      else if (p === label) fp += 1;
      else if (t === label) fn += 1;
    });
    const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
    const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
    perLabel[label] = { precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall), support: tp + fn };
  }
  const correct = truth.filter((t, i) => t === predicted[i]).length;
  return {
    records: truth.length,
    accuracy: correct / truth.length,
    macro_f1: labels.reduce((s, l) => s + perLabel[l]!.f1, 0) / labels.length,
    per_label: perLabel,
  };
}
