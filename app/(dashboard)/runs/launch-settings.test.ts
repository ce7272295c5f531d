// "Launch again with these settings": a run's request fills the form with the very settings that make it again.
import { describe, expect, it } from "vitest";
import { runRequestInput } from "@/server/runs/run-request";
import { DEFAULTS, duration, fromRequest, fromRunParam, toRequest, type Settings } from "./launch-settings";

const ids = { datasetVersionId: "6f1c0c1e-7a8b-4c5d-9e0f-111111111111", baseModelVersionId: "6f1c0c1e-7a8b-4c5d-9e0f-222222222222" };

describe("the launch form's settings", () => {
  it("round-trip through a run request", () => {
    const cases: Settings[] = [
      { ...DEFAULTS, ...ids },
      { ...DEFAULTS, ...ids, privacyMode: "noise_multiplier", privacyValue: "1.5", batchBy: "sampling_rate", batchValue: "0.01", lengthBy: "epochs", lengthValue: "3", method: "full", canaries: "8", canaryRepeats: "2" },
      { ...DEFAULTS, ...ids, labelField: "topic", labels: "late, refund" },
      { ...DEFAULTS, ...ids, loraTargets: ["c_attn", "c_fc"] },
    ];
    for (const settings of cases) {
      const request = runRequestInput.parse(toRequest(settings));
      expect(fromRequest(request)).toEqual(settings);
    }
  });

  it("takes a run id from ?from= and nothing else", () => {
    expect(fromRunParam(ids.datasetVersionId)).toBe(ids.datasetVersionId);
    for (const bad of [undefined, "", "../etc", [ids.datasetVersionId, ids.baseModelVersionId], `${ids.datasetVersionId}x`]) expect(fromRunParam(bad)).toBeUndefined();
  });

  it("words durations for people", () => {
    expect(duration(40)).toBe("about 40 s");
    expect(duration(720)).toBe("about 12 min");
    expect(duration(12_600)).toBe("about 3.5 h");
  });
});
