// The safetensors file format (float32 tensors only): an 8-byte little-endian header length, a JSON header naming
// each tensor's dtype, shape and byte range, then the raw little-endian data. Free of TensorFlow, so that the server
// can read headers and digests too.

import { createHash } from "node:crypto";
import { endianness } from "node:os";
import { z } from "zod";

export interface HostTensor {
  shape: number[];
  data: Float32Array;
}
export type HostTensors = Record<string, HostTensor>;

const entrySchema = z.strictObject({
  dtype: z.literal("F32", { error: (i) => `unsupported dtype ${JSON.stringify(i.input)} (only F32 is read)` }),
  shape: z.array(z.number().int().min(0)),
  data_offsets: z.tuple([z.number().int().min(0), z.number().int().min(0)]),
});
const headerSchema = z.record(z.string(), z.unknown());
const metadataSchema = z.record(z.string(), z.string());

export interface SafetensorsHeader {
  tensors: Record<string, z.infer<typeof entrySchema>>;
  metadata: Record<string, string>;
  /** Byte offset of the data section in the file. */
  dataStart: number;
}

if (endianness() !== "LE") throw new Error("safetensors I/O here assumes a little-endian machine");

const size = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1);

/** The bytes of a safetensors file holding `tensors` (in key order) and string metadata. */
export function encodeSafetensors(tensors: HostTensors, metadata: Record<string, string> = {}): Buffer {
  const header: Record<string, unknown> = Object.keys(metadata).length > 0 ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const [name, { shape, data }] of Object.entries(tensors)) {
    if (size(shape) !== data.length) throw new RangeError(`tensor ${name}: shape ${shape} does not hold ${data.length} values`);
    header[name] = { dtype: "F32", shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8); // align the data section to 8 bytes
  const headerBytes = Buffer.from(json, "utf8");
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let position = 8 + headerBytes.length;
  for (const { data } of Object.values(tensors)) {
    Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(out, position);
    position += data.byteLength;
  }
  return out;
}

/** Parses and checks the header (names, dtypes, shapes, byte ranges) without copying any tensor data. */
export function readSafetensorsHeader(bytes: Uint8Array): SafetensorsHeader {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < 8) throw new Error("not a safetensors file: shorter than its 8-byte header length");
  const headerLength = Number(buffer.readBigUInt64LE(0));
  if (8 + headerLength > buffer.length) throw new Error("not a safetensors file: header runs past the end");
  let raw: unknown;
  try {
    raw = JSON.parse(buffer.subarray(8, 8 + headerLength).toString("utf8"));
  } catch (cause) {
    throw new Error(`safetensors header is not JSON: ${(cause as Error).message}`);
  }
  const { __metadata__, ...entries } = headerSchema.parse(raw);
  const dataStart = 8 + headerLength;
  const dataLength = buffer.length - dataStart;
  const tensors: SafetensorsHeader["tensors"] = {};
  const ranges: Array<[number, number]> = [];
  for (const [name, value] of Object.entries(entries)) {
    const result = entrySchema.safeParse(value);
    if (!result.success) throw new Error(`safetensors tensor ${name}: ${result.error.issues.map((i) => i.message).join("; ")}`);
    const [start, end] = result.data.data_offsets;
    if (end - start !== size(result.data.shape) * 4 || end > dataLength) {
      throw new Error(`safetensors tensor ${name}: byte range [${start}, ${end}) does not fit its shape or the file`);
    }
    tensors[name] = result.data;
    ranges.push([start, end]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  ranges.forEach(([start], i) => {
    if (i > 0 && start < (ranges[i - 1] as [number, number])[1]) throw new Error("safetensors tensors overlap");
  });
  return { tensors, metadata: __metadata__ === undefined ? {} : metadataSchema.parse(__metadata__), dataStart };
}

export function decodeSafetensors(bytes: Uint8Array): { tensors: HostTensors; metadata: Record<string, string> } {
  const { tensors: entries, metadata, dataStart } = readSafetensorsHeader(bytes);
  const tensors: HostTensors = {};
  for (const [name, { shape, data_offsets: [start, end] }] of Object.entries(entries)) {
    // Copy into a fresh, aligned buffer: the file's data section need not be 4-byte aligned in memory.
    const copy = new Uint8Array(bytes.subarray(dataStart + start, dataStart + end));
    tensors[name] = { shape, data: new Float32Array(copy.buffer) };
  }
  return { tensors, metadata };
}

export const sha256 = (bytes: Uint8Array | string): string => createHash("sha256").update(bytes).digest("hex");
