// A privacy figure rounded for people, with its exact value on hover (exports carry the exact value).
import { eps, exact, prob } from "./format";

export function Num({ value, kind = "epsilon" }: { value: number | null | undefined; kind?: "epsilon" | "delta" }) {
  return (
    <span className="num" title={exact(value)} data-exact={exact(value)}>
      {kind === "delta" ? prob(value) : eps(value)}
    </span>
  );
}
