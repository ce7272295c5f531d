// How leakage evaluations are named on the pages: what each kind is, and a sentence for one that is waiting or running.
type Kind = "post_training" | "on_demand" | "drift_probe";

export const LEAKAGE_KIND: Record<Kind, string> = {
  post_training: "after training",
  on_demand: "on demand",
  drift_probe: "drift probe",
};

/** "Leakage tests requested on demand are running…", "A drift probe is queued…". */
export function pendingSentence(kind: Kind, status: string): string {
  const what = { post_training: "The post-training leakage tests are", on_demand: "Leakage tests requested on demand are", drift_probe: "A drift probe is" }[kind];
  return `${what} ${status === "queued" ? "queued for the job runner" : "running"}…`;
}
