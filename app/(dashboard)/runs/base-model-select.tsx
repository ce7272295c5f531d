"use client";
// The base model a run starts from, chosen among the model versions an engineer may launch on (runs.options): one
// select for the launch form and the federated launch form.
import type { RouterOutputs } from "@/app/_trpc/types";

type ModelOption = RouterOutputs["runs"]["options"]["modelVersions"][number];

export function BaseModelSelect(props: { value: string; onChange: (e: { target: { value: string } }) => void; models: readonly ModelOption[] | undefined }) {
  return (
    <label>
      Base model
      <select value={props.value} onChange={props.onChange}>
        {props.models?.map((m) => (
          <option key={m.id} value={m.id}>
            {m.family} v{m.version} ({m.kind}, {m.status})
          </option>
        ))}
      </select>
    </label>
  );
}
