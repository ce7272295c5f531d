// Tests for privacy events: the stored JSON form, validation with clear refusals, and flattening.
import { describe, expect, it } from "vitest";
import {
  EVENT_FORMAT_VERSION,
  PrivacyEventError,
  composed,
  dpSgdEvent,
  flattenEvent,
  gaussian,
  parseEvent,
  poissonSampled,
  selfComposed,
  serialiseEvent,
  validateEvent,
} from "./events";

describe("stored form", () => {
  it("round-trips through versioned JSON", () => {
    const event = composed([dpSgdEvent(0.01, 1.1, 500), selfComposed(gaussian(4), 3)]);
    const json = serialiseEvent(event);
    expect(JSON.parse(json)).toEqual({ version: EVENT_FORMAT_VERSION, event });
    expect(parseEvent(json)).toEqual(event);
  });

  it("stores the documented shape", () => {
    expect(JSON.parse(serialiseEvent(dpSgdEvent(0.04, 1.5, 2250)))).toEqual({
      version: 1,
      event: {
        type: "self_composed",
        count: 2250,
        event: { type: "poisson_sampled", sampling_rate: 0.04, event: { type: "gaussian", noise_multiplier: 1.5 } },
      },
    });
  });

  it("refuses other versions, unknown types and malformed fields, naming the place", () => {
    const doc = (event: unknown, version: unknown = 1) => JSON.stringify({ version, event });
    expect(() => parseEvent(doc(gaussian(1), 2))).toThrow(/format version 2 .*reads version 1/);
    expect(() => parseEvent(doc({ type: "laplace", scale: 1 }))).toThrow(
      /event\.type: unknown event type "laplace" \(known types: gaussian, poisson_sampled, self_composed, composed\)/,
    );
    expect(() => parseEvent(doc({ type: "composed", events: [gaussian(1), { type: "exponential" }] }))).toThrow(
      /event\.events\[1\]\.type: unknown event type "exponential"/,
    );
    expect(() => parseEvent(doc({ noise_multiplier: 1 }))).toThrow(/missing event type/);
    expect(() => parseEvent(doc({ type: "gaussian", noise_multiplier: 0 }))).toThrow(/noise_multiplier must be/);
    expect(() => parseEvent(doc({ type: "gaussian", noise_multiplier: 1, clip: 1 }))).toThrow(/Unrecognized key/);
    expect(() => parseEvent(doc(poissonSampled(0.5, gaussian(1))).replace("0.5", "1.5"))).toThrow(
      /sampling_rate must be in \(0, 1\]/,
    );
    expect(() => parseEvent(doc({ type: "self_composed", event: gaussian(1), count: 2.5 }))).toThrow(
      /event\.count: count must be a whole number/,
    );
    expect(() => parseEvent("{")).toThrow(/not valid JSON/);
    expect(() => parseEvent('{"event":{}}')).toThrow(PrivacyEventError);
  });

  it("validates in the constructors too", () => {
    expect(() => gaussian(-1)).toThrow(PrivacyEventError);
    expect(() => dpSgdEvent(0, 1, 10)).toThrow(/sampling_rate/);
    expect(() => validateEvent({ type: "composed", events: "none" })).toThrow(/event\.events/);
  });
});

describe("flattenEvent", () => {
  it("multiplies counts through nesting and merges identical mechanisms (resumed runs)", () => {
    const event = composed([
      dpSgdEvent(0.01, 1, 100),
      selfComposed(composed([dpSgdEvent(0.01, 1, 20), gaussian(3)]), 2),
      dpSgdEvent(0.02, 1, 5),
      dpSgdEvent(0.02, 1, 0),
    ]);
    expect(flattenEvent(event)).toEqual([
      { samplingRate: 0.01, noiseMultiplier: 1, count: 140 },
      { samplingRate: 1, noiseMultiplier: 3, count: 2 },
      { samplingRate: 0.02, noiseMultiplier: 1, count: 5 },
    ]);
    expect(flattenEvent(composed([]))).toEqual([]);
  });

  it("refuses Poisson sampling around anything but a Gaussian", () => {
    expect(() => flattenEvent(poissonSampled(0.1, selfComposed(gaussian(1), 2)))).toThrow(
      /poisson_sampled is supported only directly around a gaussian event \(found self_composed\)/,
    );
  });
});
