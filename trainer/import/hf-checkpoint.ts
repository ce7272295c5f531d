// A Hugging Face model.safetensors read tensor by tensor from disk (never the whole file in memory), each converted
// to float32 (from F32, F16 or BF16), under our parameter names: transformers' keys with or without the
// "transformer." prefix, the attention-mask buffers of older checkpoints skipped.

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { parseSafetensorsHeader, type SafetensorsEntry } from "../contract/safetensors";
import { ImportError } from "./hf-config";

export const CHECKPOINT_FILE = "model.safetensors";

/** Buffers (not parameters) that older GPT-2 checkpoints carry: the causal mask and its fill value. */
const BUFFER = /^h\.\d+\.attn\.(bias|masked_bias)$/;

const ourName = (key: string): string => key.replace(/^transformer\./, "");

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

export class Checkpoint {
  private constructor(
    private readonly fd: number,
    private readonly dataStart: number,
    /** Our parameter name to its entry (buffers skipped). */
    readonly tensors: ReadonlyMap<string, SafetensorsEntry>,
  ) {}

  static open(file: string): Checkpoint {
    const fd = openSync(file, "r");
    try {
      const length = fstatSync(fd).size;
      const prefix = Buffer.alloc(8);
      if (length < 8 || readSync(fd, prefix, 0, 8, 0) !== 8) throw new ImportError(`${CHECKPOINT_FILE}: not a safetensors file (shorter than 8 bytes)`);
      const headerLength = Number(prefix.readBigUInt64LE(0));
      if (8 + headerLength > length || headerLength > 100 * 1024 * 1024) throw new ImportError(`${CHECKPOINT_FILE}: not a safetensors file (its header runs past the end)`);
      const json = Buffer.alloc(headerLength);
      readSync(fd, json, 0, headerLength, 8);
      let header;
      try {
        header = parseSafetensorsHeader(json, length - 8 - headerLength, ["F32", "F16", "BF16"]);
      } catch (error) {
        throw new ImportError(`${CHECKPOINT_FILE}: ${(error as Error).message}`);
      }
      const tensors = new Map<string, SafetensorsEntry>();
      for (const [key, entry] of Object.entries(header.tensors)) {
        const name = ourName(key);
        if (BUFFER.test(name)) continue;
        if (tensors.has(name)) throw new ImportError(`${CHECKPOINT_FILE}: ${name} appears twice (with and without the transformer. prefix)`);
        tensors.set(name, entry);
      }
      return new Checkpoint(fd, header.dataStart, tensors);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /** One tensor's values as float32, read from disk now. */
  read(name: string): Float32Array {
    const entry = this.tensors.get(name);
    if (!entry) throw new ImportError(`${CHECKPOINT_FILE}: missing ${name}`);
    const [start, end] = entry.data_offsets;
    const bytes = Buffer.alloc(end - start);
    let done = 0;
    while (done < bytes.length) {
      const n = readSync(this.fd, bytes, done, bytes.length - done, this.dataStart + start + done);
      if (n === 0) throw new ImportError(`${CHECKPOINT_FILE}: ${name} is cut short`);
      done += n;
    }
    if (entry.dtype === "F32") return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    const out = new Float32Array(bytes.length / 2);
    if (entry.dtype === "BF16") {
      const widened = new Uint32Array(out.buffer);
      for (let i = 0; i < out.length; i++) widened[i] = bytes.readUInt16LE(2 * i) << 16;
    } else {
      for (let i = 0; i < out.length; i++) out[i] = halfToFloat(bytes.readUInt16LE(2 * i));
    }
    return out;
  }

  close(): void {
    closeSync(this.fd);
  }
}
