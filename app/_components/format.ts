// Number and date formats shared by the pages: figures rounded for people (the exact value on hover and in exports).

/** Epsilon (or any privacy figure) to 3 significant digits; tiny values in scientific notation. */
export function eps(x: number | null | undefined): string {
  if (x === null || x === undefined) return "–";
  if (!Number.isFinite(x)) return "∞";
  if (x === 0) return "0";
  if (Math.abs(x) < 0.001) return x.toExponential(1);
  return String(Number(x.toPrecision(3)));
}

/** Delta and other small probabilities: 2 significant digits, scientific below 0.001. */
export function prob(x: number | null | undefined): string {
  if (x === null || x === undefined) return "–";
  if (x === 0) return "0";
  return Math.abs(x) < 0.001 ? x.toExponential(1) : String(Number(x.toPrecision(2)));
}

/** The exact value, for a title (hover) next to a rounded one. */
export function exact(x: number | null | undefined): string {
  return x === null || x === undefined ? "" : String(x);
}

export function when(iso: string | null | undefined): string {
  return iso ? iso.replace("T", " ").slice(0, 16) : "–";
}

export function formData(event: { currentTarget: HTMLFormElement }): (name: string) => string {
  const form = new FormData(event.currentTarget);
  return (name) => String(form.get(name) ?? "").trim();
}
