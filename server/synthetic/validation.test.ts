// The validation of synthetic records: each check passes on records unlike the training data and fails, with its
// sentence, on records that copy it; thresholds decide.
import { describe, expect, it } from "vitest";
import { DEFAULT_THRESHOLDS } from "./report";
import { secretDigits, validateSynthetic } from "./validation";

const topics = ["invoice", "delivery", "refund", "password", "upgrade", "warranty", "cancel", "address"];
const training = Array.from({ length: 120 }, (_, i) => `Ticket ${i}: customer asks about the ${topics[i % 8]} of order ${1000 + i * 37}, reply soon.`);
const heldOut = Array.from({ length: 40 }, (_, i) => `Ticket ${500 + i}: customer asks about the ${topics[(i + 3) % 8]} of order ${9000 + i * 53}, reply soon.`);

async function* stream(texts: readonly string[]) {
  yield* texts;
}

const fresh = Array.from({ length: 40 }, (_, i) => ({ text: `Note ${i}: someone wrote about ${topics[i % 8]} plans for the weekend garden.`, label: null }));

describe("validateSynthetic", () => {
  it("passes records unlike the training data, with DCR near one half", async () => {
    const report = await validateSynthetic({ synthetic: fresh, training: stream(training), heldOut, canarySecrets: ["my pin is 4417-2290"], thresholds: DEFAULT_THRESHOLDS });
    expect(report.passed).toBe(true);
    expect(report.failures).toEqual([]);
    expect(report.training_records).toBe(120);
    expect(report.duplicates).toMatchObject({ exact: 0, near: 0, passed: true });
    expect(report.dcr.reference_records).toBe(40);
    expect(report.dcr.skipped).toBeNull();
    expect(report.canaries).toEqual({ checked: 1, appeared: 0, passed: true });
  });

  it("fails copies of training records: duplicates and DCR, and names them", async () => {
    // As many training records as held-out ones: DCR compares with every one of them, so each copy sits at distance 0.
    const trained = training.slice(0, heldOut.length);
    const copies = trained.slice(0, 30).map((text, i) => ({ text: i % 2 ? text : text.toUpperCase().replace(" ", "  "), label: "x" }));
    const report = await validateSynthetic({ synthetic: copies, training: stream(trained), heldOut, canarySecrets: [], thresholds: DEFAULT_THRESHOLDS });
    expect(report.passed).toBe(false);
    expect(report.duplicates).toMatchObject({ exact: 30, near: 30, share: 1, max_jaccard: 1, passed: false });
    expect(report.dcr.passed).toBe(false);
    expect(report.dcr.closer_share).toBe(1);
    expect(report.failures[0]).toMatch(/30 of 30 records \(100\.0%\) duplicate a training record at Jaccard ≥ 0\.7; at most 0\.0% may\./);
    expect(report.failures[1]).toMatch(/closer to training records than to held-out ones/);
    // Thresholds decide: an organisation that allows every record through passes the same records.
    const lenient = await validateSynthetic({
      synthetic: copies,
      training: stream(trained),
      heldOut,
      canarySecrets: [],
      thresholds: { near_duplicate_jaccard: 0.7, max_duplicate_share: 1, max_closer_share: 1, max_copied_pii: 0 },
    });
    expect(lenient.passed).toBe(true);
  });

  it("finds PII copied from training records, shows it masked, and counts made-up PII apart", async () => {
    const withPii = [...training.slice(0, 5), "Contact jane.roe@example.com about refunds."];
    const synthetic = [
      { text: "Please write to jane.roe@example.com for help with the garden.", label: null },
      { text: "Or to made.up@example.org instead.", label: null },
    ];
    const report = await validateSynthetic({ synthetic, training: stream(withPii), heldOut, canarySecrets: [], thresholds: DEFAULT_THRESHOLDS });
    expect(report.pii).toMatchObject({ found: { email: 2 }, copied: { email: 1 }, copied_total: 1, passed: false });
    expect(report.pii.examples).toEqual(["Please write to j***@e***.com for help with the garden."]);
    expect(JSON.stringify(report)).not.toContain("jane.roe@example.com");
    expect(JSON.stringify(report)).not.toContain("made.up@example.org");
  });

  it("finds an inserted canary's secret, whole or by its digits", async () => {
    expect(secretDigits("my SSN is 123-45-6789 ok")).toBe("123-45-6789");
    const synthetic = [{ text: "the number 123-45-6789 again", label: null }];
    const report = await validateSynthetic({ synthetic, training: stream(training), heldOut, canarySecrets: ["my SSN is 123-45-6789", "my SSN is 999-00-1111"], thresholds: DEFAULT_THRESHOLDS });
    expect(report.canaries).toEqual({ checked: 2, appeared: 1, passed: false });
    expect(report.failures).toContain("1 of 2 inserted canaries appear in the records.");
  });

  it("skips DCR, without failing, when the run held nothing out", async () => {
    const report = await validateSynthetic({ synthetic: fresh, training: stream(training), heldOut: [], canarySecrets: [], thresholds: DEFAULT_THRESHOLDS });
    expect(report.dcr).toMatchObject({ reference_records: 0, passed: true, skipped: "The source run has no held-out records to compare with." });
  });
});
