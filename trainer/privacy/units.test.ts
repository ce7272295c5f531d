// Tests for the privacy-unit enum: a record, a subject or a party, nothing else.
import { describe, expect, it } from "vitest";
import { PRIVACY_UNITS, privacyUnitSchema } from "./units";

describe("privacy units", () => {
  it("are a record, a subject or a party, and refuse anything else", () => {
    expect(PRIVACY_UNITS).toEqual(["record", "subject", "party"]);
    expect(privacyUnitSchema.parse("subject")).toBe("subject");
    expect(privacyUnitSchema.safeParse("household").success).toBe(false);
  });
});
