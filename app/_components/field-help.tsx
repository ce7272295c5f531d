// Inline help beside a DP field: what it is, a typical range, and what changing it does (texts in dp-help.ts).
import { DP_HELP, type DpField } from "./dp-help";

export function FieldHelp({ field }: { field: DpField }) {
  const help = DP_HELP[field];
  return (
    <details className="help" data-testid={`help-${field}`}>
      <summary aria-label={`What is ${help.label}?`}>?</summary>
      <p>{help.what}</p>
      <p>
        <strong>Typical:</strong> {help.typical}
      </p>
      <p>
        <strong>Changing it:</strong> {help.effect}
      </p>
    </details>
  );
}
