// "Launch again with these settings" on a federated run: its request fills the federated form with the very settings
// that make it again.
import { describe, expect, it } from "vitest";
import { federatedRequestRefusal, runRequestInput } from "@/server/runs/run-request";
import { FEDERATED_DEFAULTS, fromFederatedRequest, toFederatedRequest, type FederatedSettings } from "./federated-settings";

const versionId = "6f1c0c1e-7a8b-4c5d-9e0f-111111111111";
const base = { baseModelVersionId: "6f1c0c1e-7a8b-4c5d-9e0f-222222222222" };

describe("the federated launch form's settings", () => {
  it("round-trip through a run request the server takes as a federated run", () => {
    const cases: FederatedSettings[] = [
      { ...FEDERATED_DEFAULTS, ...base },
      { ...FEDERATED_DEFAULTS, ...base, method: "lora", loraRank: "4", noise: "distributed", rounds: "7", samplingRate: "0.5", noiseMultiplier: "1.3", localSteps: "3", answerSeconds: "30" },
      { ...FEDERATED_DEFAULTS, ...base, clip: "person", localSteps: "1", recordsPerPerson: "2", clipNorm: "0.5", learningRate: "0.05" },
    ];
    for (const settings of cases) {
      const request = runRequestInput.parse(toFederatedRequest(settings, versionId));
      expect(federatedRequestRefusal(request, true)).toBeNull();
      expect(request.privacyUnit).toBe(settings.clip === "person" ? "subject" : "party");
      expect(fromFederatedRequest(request)).toEqual(settings);
    }
  });

  it("keeps the form's defaults for what it does not offer, and one local step when parties clip per person", () => {
    const request = runRequestInput.parse({
      ...toFederatedRequest({ ...FEDERATED_DEFAULTS, ...base }, versionId),
      privacy: { mode: "target_epsilon", targetEpsilon: 3 },
      length: { by: "epochs", epochs: 2 },
    });
    expect(fromFederatedRequest(request)).toMatchObject({ noiseMultiplier: FEDERATED_DEFAULTS.noiseMultiplier, rounds: FEDERATED_DEFAULTS.rounds });
    expect(toFederatedRequest({ ...FEDERATED_DEFAULTS, ...base, clip: "person", localSteps: "4" }, versionId).federation?.localSteps).toBe(1);
    // A federated run's LoRA adapts every layer: the parties build their adapters so.
    const lora = runRequestInput.parse(toFederatedRequest({ ...FEDERATED_DEFAULTS, ...base, method: "lora" }, versionId));
    expect(federatedRequestRefusal({ ...lora, fineTuning: { method: "lora", rank: 8, targets: ["c_attn"] } }, true)).toMatch(/^A federated run's LoRA adapts every layer/);
  });
});
