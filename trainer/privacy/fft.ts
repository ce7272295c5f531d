// Fast Fourier transform and FFT-based convolution of real sequences, used by the PLD accountant to compose
// privacy loss distributions. Radix-2, iterative, on split real/imaginary Float64Arrays.

const tables = new Map<number, { cos: Float64Array; sin: Float64Array; reverse: Uint32Array }>();

function tableFor(size: number) {
  let table = tables.get(size);
  if (!table) {
    const half = size / 2;
    const cos = new Float64Array(half);
    const sin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      cos[k] = Math.cos((2 * Math.PI * k) / size);
      sin[k] = Math.sin((2 * Math.PI * k) / size);
    }
    const bits = Math.log2(size);
    const reverse = new Uint32Array(size);
    for (let i = 1; i < size; i++) reverse[i] = ((reverse[i >> 1] as number) >> 1) | ((i & 1) << (bits - 1));
    table = { cos, sin, reverse };
    if (tables.size > 8) tables.clear();
    tables.set(size, table);
  }
  return table;
}

export function nextPowerOfTwo(n: number): number {
  let size = 1;
  while (size < n) size *= 2;
  return size;
}

/** In-place DFT of (re, im); the length must be a power of two. The inverse includes the 1/N factor. */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const size = re.length;
  if (im.length !== size || (size & (size - 1)) !== 0) throw new RangeError(`fft needs equal power-of-two lengths`);
  if (size < 2) return;
  const { cos, sin, reverse } = tableFor(size);
  for (let i = 0; i < size; i++) {
    const j = reverse[i] as number;
    if (j > i) {
      const tr = re[i] as number;
      re[i] = re[j] as number;
      re[j] = tr;
      const ti = im[i] as number;
      im[i] = im[j] as number;
      im[j] = ti;
    }
  }
  const sign = inverse ? 1 : -1;
  for (let len = 2; len <= size; len *= 2) {
    const half = len / 2;
    const stride = size / len;
    for (let start = 0; start < size; start += len) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * stride] as number;
        const wi = sign * (sin[k * stride] as number);
        const a = start + k;
        const b = a + half;
        const br = re[b] as number;
        const bi = im[b] as number;
        const tr = wr * br - wi * bi;
        const ti = wr * bi + wi * br;
        const ar = re[a] as number;
        const ai = im[a] as number;
        re[b] = ar - tr;
        im[b] = ai - ti;
        re[a] = ar + tr;
        im[a] = ai + ti;
      }
    }
  }
  if (inverse) {
    for (let i = 0; i < size; i++) {
      re[i] = (re[i] as number) / size;
      im[i] = (im[i] as number) / size;
    }
  }
}

/** Linear convolution of two real sequences (length a + b - 1), with one forward and one inverse transform. */
export function convolve(a: Float64Array, b: Float64Array): Float64Array {
  const outLength = a.length + b.length - 1;
  const size = nextPowerOfTwo(outLength);
  // Pack a + i b, transform once, and unpack A_k = (Z_k + conj Z_{-k}) / 2, B_k = (Z_k - conj Z_{-k}) / 2i.
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  re.set(a);
  im.set(b);
  fft(re, im);
  const pr = new Float64Array(size);
  const pi = new Float64Array(size);
  for (let k = 0; k < size; k++) {
    const m = (size - k) & (size - 1);
    const zr = re[k] as number;
    const zi = im[k] as number;
    const cr = re[m] as number;
    const ci = -(im[m] as number);
    const ar = (zr + cr) / 2;
    const ai = (zi + ci) / 2;
    const br = (zi - ci) / 2;
    const bi = -(zr - cr) / 2;
    pr[k] = ar * br - ai * bi;
    pi[k] = ar * bi + ai * br;
  }
  fft(pr, pi, true);
  return pr.subarray(0, outLength);
}

/**
 * The count-fold cyclic self-convolution of a real sequence modulo `size` (a power of two >= values.length):
 * entry k is the sum of the products over all index tuples whose sum is congruent to k. Computed as one forward
 * transform, a pointwise power (in polar form) and one inverse transform.
 */
export function cyclicSelfConvolution(values: Float64Array, count: number, size: number): Float64Array {
  if (values.length > size) throw new RangeError("cyclicSelfConvolution: size is smaller than the input");
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  re.set(values);
  fft(re, im);
  for (let k = 0; k < size; k++) {
    const r = re[k] as number;
    const i = im[k] as number;
    const magnitude = Math.exp(count * 0.5 * Math.log(r * r + i * i));
    const angle = count * Math.atan2(i, r);
    re[k] = magnitude * Math.cos(angle);
    im[k] = magnitude * Math.sin(angle);
  }
  fft(re, im, true);
  return re;
}
