// Tests for the privacy-unit enum: a record or a subject, nothing else.
import { describe, expect, it } from "vitest";
import { PRIVACY_UNITS, privacyUnitSchema } from "./units";

describe("privacy units", () => {
  it("are a record or a subject, and refuse anything else", () => {
    expect(PRIVACY_UNITS).toEqual(["record", "subject"]);
    expect(privacyUnitSchema.parse("subject")).toBe("subject");
    expect(privacyUnitSchema.safeParse("household").success).toBe(false);
  });
});
