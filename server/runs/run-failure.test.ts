// Failures in words: the wasm abort and the trainer's own out-of-memory refusal read as running out of memory, other
// known failures have their own sentence, and anything else the generic one; the raw message is always kept.
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
});
