"use client";
// The settings of a budget besides its epsilon (delta, privacy unit, renewal date, k), with their help: one set of
// fields for setting a budget and for approving a request for a first one.
import { FieldHelp } from "@/app/_components/field-help";
import { privacyUnitSchema, type PrivacyUnit } from "@/trainer/privacy/units";

export function BudgetSettingsFields(props: {
  delta: string;
  onDelta: (value: string) => void;
  unit: PrivacyUnit;
  onUnit: (value: PrivacyUnit) => void;
  renewsOn: string | undefined;
  recordsPerPersonBound: number;
  /** Appended to each label, e.g. ", first budget". */
  labelSuffix?: string;
}) {
  const suffix = props.labelSuffix ?? "";
  return (
    <>
      <label>
        Delta (δ){suffix}
        <input name="delta" inputMode="decimal" value={props.delta} onChange={(e) => props.onDelta(e.target.value)} required />
      </label>
      <FieldHelp field="delta" />
      <label>
        Privacy unit{suffix}
        <select name="privacyUnit" value={props.unit} onChange={(e) => props.onUnit(privacyUnitSchema.parse(e.target.value))}>
          <option value="subject">subject (a person)</option>
          <option value="record">record</option>
          <option value="party">party (an institution: the federation&apos;s lineage only)</option>
        </select>
      </label>
      <FieldHelp field="privacyUnit" />
      <label>
        Renews on{suffix}
        <input name="renewsOn" type="date" defaultValue={props.renewsOn} required />
      </label>
      <label>
        Records per person, at most (k){suffix}
        <input name="recordsPerPersonBound" inputMode="numeric" defaultValue={props.recordsPerPersonBound} required />
      </label>
      <FieldHelp field="recordsPerSubject" />
    </>
  );
}
