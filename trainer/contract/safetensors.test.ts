// Safetensors files: round trips, the published layout, digests, and refusal of malformed files.
import { describe, expect, it } from "vitest";
import { decodeSafetensors, encodeSafetensors, readSafetensorsHeader, sha256 } from "./safetensors";

describe("safetensors", () => {
  const tensors = {
    "a.weight": { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
    "b.bias": { shape: [1], data: Float32Array.from([-0.5]) },
    scalar: { shape: [], data: Float32Array.from([7]) },
  };

  it("round-trips tensors and metadata", () => {
    const bytes = encodeSafetensors(tensors, { format: "pt", note: "x" });
    const back = decodeSafetensors(bytes);
    expect(back.metadata).toEqual({ format: "pt", note: "x" });
    expect(Object.keys(back.tensors)).toEqual(Object.keys(tensors));
    for (const [name, t] of Object.entries(tensors)) {
      expect(back.tensors[name]?.shape).toEqual(t.shape);
      expect(Array.from(back.tensors[name]!.data)).toEqual(Array.from(t.data));
    }
  });

  it("writes the published layout: u64 LE header size, JSON header with byte offsets, 8-byte aligned data", () => {
    const bytes = encodeSafetensors({ x: { shape: [2], data: Float32Array.from([1, 2]) } });
    const headerLength = Number(bytes.readBigUInt64LE(0));
    expect(headerLength % 8).toBe(0);
    expect(JSON.parse(bytes.subarray(8, 8 + headerLength).toString())).toEqual({
      x: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
    });
    expect(bytes.readFloatLE(8 + headerLength + 4)).toBe(2);
    expect(bytes.length).toBe(8 + headerLength + 8);
  });

  it("digests are SHA-256 of the bytes and change with any value", () => {
    const one = encodeSafetensors(tensors);
    const other = encodeSafetensors({ ...tensors, scalar: { shape: [], data: Float32Array.from([8]) } });
    expect(sha256(one)).toMatch(/^[0-9a-f]{64}$/);
    expect(sha256(one)).toBe(sha256(encodeSafetensors(tensors)));
    expect(sha256(one)).not.toBe(sha256(other));
  });

  it("refuses malformed files", () => {
    const good = encodeSafetensors(tensors);
    expect(() => readSafetensorsHeader(good.subarray(0, 4))).toThrow(/shorter/);
    expect(() => readSafetensorsHeader(good.subarray(0, 20))).toThrow(/past the end/);
    expect(() => readSafetensorsHeader(good.subarray(0, good.length - 4))).toThrow(/does not fit/);
    const withHeader = (header: object) => {
      const json = Buffer.from(JSON.stringify(header));
      const out = Buffer.alloc(8 + json.length + 16);
      out.writeBigUInt64LE(BigInt(json.length));
      json.copy(out, 8);
      return out;
    };
    expect(() => readSafetensorsHeader(withHeader({ x: { dtype: "F16", shape: [2], data_offsets: [0, 4] } }))).toThrow(
      /unsupported dtype "F16"/,
    );
    expect(() =>
      readSafetensorsHeader(
        withHeader({
          x: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
          y: { dtype: "F32", shape: [2], data_offsets: [4, 12] },
        }),
      ),
    ).toThrow(/overlap/);
    expect(() => encodeSafetensors({ x: { shape: [3], data: new Float32Array(2) } })).toThrow(/does not hold/);
  });
});
