// The safetensors file format (float32 tensors written; F16 and BF16 headers read for imports): an 8-byte little-endian header length, a JSON header naming
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

/** Bytes per element of the dtypes read: our own files hold F32 only; imported checkpoints may hold F16 or BF16. */
export const DTYPE_BYTES = { F32: 4, F16: 2, BF16: 2 } as const;
export type Dtype = keyof typeof DTYPE_BYTES;

const entrySchema = z.strictObject({
  dtype: z.string(),
  shape: z.array(z.number().int().min(0)),
  data_offsets: z.tuple([z.number().int().min(0), z.number().int().min(0)]),
});
const headerSchema = z.record(z.string(), z.unknown());
const metadataSchema = z.record(z.string(), z.string());

export interface SafetensorsEntry {
  dtype: Dtype;
  shape: number[];
  data_offsets: [number, number];
}

export interface SafetensorsHeader {
  tensors: Record<string, SafetensorsEntry>;
  metadata: Record<string, string>;
  /** Byte offset of the data section in the file. */
  dataStart: number;
}

if (endianness() !== "LE") throw new Error("safetensors I/O here assumes a little-endian machine");

const size = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1);

/** The 8-byte length and JSON header of a float32 safetensors file whose tensors have these names and shapes, in
 * order, their data following without gaps; and the data section's length. */
export function safetensorsHeaderBytes(
  entries: ReadonlyArray<readonly [string, readonly number[]]>,
  metadata: Record<string, string> = {},
): { header: Buffer; dataLength: number } {
  const header: Record<string, unknown> = Object.keys(metadata).length > 0 ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const [name, shape] of entries) {
    const bytes = size(shape) * 4;
    header[name] = { dtype: "F32", shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8); // align the data section to 8 bytes
  const jsonBytes = Buffer.from(json, "utf8");
  const out = Buffer.alloc(8 + jsonBytes.length);
  out.writeBigUInt64LE(BigInt(jsonBytes.length), 0);
  jsonBytes.copy(out, 8);
  return { header: out, dataLength: offset };
}

/** The bytes of a safetensors file holding `tensors` (in key order) and string metadata. */
export function encodeSafetensors(tensors: HostTensors, metadata: Record<string, string> = {}): Buffer {
  for (const [name, { shape, data }] of Object.entries(tensors)) {
    if (size(shape) !== data.length) throw new RangeError(`tensor ${name}: shape ${shape} does not hold ${data.length} values`);
  }
  const { header, dataLength } = safetensorsHeaderBytes(Object.entries(tensors).map(([name, t]) => [name, t.shape] as const), metadata);
  const out = Buffer.alloc(header.length + dataLength);
  header.copy(out, 0);
  let position = header.length;
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
  return parseSafetensorsHeader(buffer.subarray(8, 8 + headerLength), buffer.length - 8 - headerLength, ["F32"]);
}

/** The header's JSON (after the 8-byte length) checked against a data section of `dataLength` bytes, accepting the
 * given dtypes. */
export function parseSafetensorsHeader(json: Uint8Array, dataLength: number, dtypes: readonly Dtype[]): SafetensorsHeader {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(json).toString("utf8"));
  } catch (cause) {
    throw new Error(`safetensors header is not JSON: ${(cause as Error).message}`);
  }
  const parsed = headerSchema.safeParse(raw);
  if (!parsed.success) throw new Error("safetensors header is not a JSON object");
  const { __metadata__, ...entries } = parsed.data;
  const dataStart = 8 + json.byteLength;
  const tensors: SafetensorsHeader["tensors"] = {};
  const ranges: Array<[number, number]> = [];
  for (const [name, value] of Object.entries(entries)) {
    const result = entrySchema.safeParse(value);
    if (!result.success) throw new Error(`safetensors tensor ${name}: ${result.error.issues.map((i) => i.message).join("; ")}`);
    const dtype = result.data.dtype as Dtype;
    if (!dtypes.includes(dtype)) throw new Error(`safetensors tensor ${name}: unsupported dtype ${JSON.stringify(result.data.dtype)} (read: ${dtypes.join(", ")})`);
    const [start, end] = result.data.data_offsets;
    if (end - start !== size(result.data.shape) * DTYPE_BYTES[dtype] || end > dataLength) {
      throw new Error(`safetensors tensor ${name}: byte range [${start}, ${end}) does not fit its shape or the file`);
    }
    tensors[name] = { dtype, shape: result.data.shape, data_offsets: [start, end] };
    ranges.push([start, end]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  ranges.forEach(([start], i) => {
    if (i > 0 && start < (ranges[i - 1] as [number, number])[1]) throw new Error("safetensors tensors overlap");
  });
  const metadata = metadataSchema.safeParse(__metadata__ ?? {});
  if (!metadata.success) throw new Error("safetensors __metadata__ must map strings to strings");
  return { tensors, metadata: metadata.data, dataStart };
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
