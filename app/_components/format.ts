// Number and date formats shared by the pages.
export function eps(x: number | null | undefined): string {
  if (x === null || x === undefined) return "–";
  if (!Number.isFinite(x)) return "∞";
  return x < 0.01 && x > 0 ? x.toExponential(2) : x.toFixed(3);
}

export function when(iso: string | null | undefined): string {
  return iso ? iso.replace("T", " ").slice(0, 16) : "–";
}

export function formData(event: { currentTarget: HTMLFormElement }): (name: string) => string {
  const form = new FormData(event.currentTarget);
  return (name) => String(form.get(name) ?? "").trim();
}
