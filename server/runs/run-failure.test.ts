// Failures in words: the wasm abort and the trainer's own out-of-memory refusal read as running out of memory, other
// known failures (a federated run's too) have their own sentence, and anything else the generic one; the raw message is always kept.
import { describe, expect, it } from "vitest";
import { explainFailure } from "./run-failure";

describe("explaining a failed run", () => {
  it("says the trainer ran out of memory for the WebAssembly abort and the trainer's refusal", () => {
    for (const raw of ["Aborted(). Build with -sASSERTIONS for more info.", "out of memory before training: one unit of 900 records needs about 40 GiB"]) {
      expect(explainFailure(raw)).toMatchObject({ reason: "The trainer ran out of memory.", details: raw });
    }
  });

  it("names other known failures and falls back to a generic sentence", () => {
    expect(explainFailure("the trainer exited without a final message (SIGKILL)").reason).toBe("The trainer stopped unexpectedly: it was killed or crashed.");
    expect(explainFailure("could not prepare the run: ENOENT").reason).toBe("The run's data could not be prepared for the trainer.");
    expect(explainFailure("something nobody foresaw")).toMatchObject({ reason: "The trainer failed.", details: "something nobody foresaw" });
    expect(explainFailure(null).details).toBe("(no message)");
  });

  it("says why a federated run failed: too few parties answered, or its rounds disagreed with its record", () => {
    const abandoned = "3 rounds in a row were abandoned; the last: only 0 of 3 parties advertised keys; at least 2 must";
    expect(explainFailure(abandoned)).toMatchObject({ reason: "Too few parties answered: several rounds in a row were abandoned.", details: abandoned });
    expect(explainFailure("the federated run failed: the checkpoint of round 2 is missing or damaged").reason).toMatch(/^The coordinator found the run's rounds inconsistent/);
    expect(explainFailure("the federated run failed: the round's privacy event {} is not the run's {}").reason).toMatch(/^The coordinator found/);
    expect(explainFailure("the federated run failed: ECONNRESET").reason).toBe("The coordinator of the federated run failed.");
  });
});
