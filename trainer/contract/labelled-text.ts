// The one way a labelled record is trained, scored and generated from: its label, a colon and a space, then its text
// ("spam: From: …"). A run with a task (its spec's labels) trains records whose label is one of them in this form, so
// that the model learns each label's texts: it then classifies by scoring a text as each label's continuation (task.ts) and
// generates records of a label from the label's prefix. TF-free: the server shares it.

/** What a text of `label` begins with. */
export const labelPrefix = (label: string): string => `${label}: `;

/** The text as a run with `labels` trains it: prefixed with its label when that is one of them, else as it is. */
export function labelledText(record: { text: string; label?: string }, labels: readonly string[] | null): string {
  return labels && record.label !== undefined && labels.includes(record.label) ? `${labelPrefix(record.label)}${record.text}` : record.text;
}
