// The sampled-decoding fields a form asks for (temperature, top-k, top-p), and the decoding they say: shared by the
// red-team and synthetic-data forms, both checked against the server's sampling schema.

export function SamplingFields() {
  return (
    <>
      <label>
        Temperature
        <input name="temperature" defaultValue={1} inputMode="decimal" />
      </label>
      <label>
        Top-k (blank: none)
        <input name="topK" defaultValue={40} inputMode="numeric" />
      </label>
      <label>
        Top-p (blank: none)
        <input name="topP" defaultValue={0.95} inputMode="decimal" />
      </label>
    </>
  );
}

/** The decoding SamplingFields' values say (`get`: formData's reader); a blank top-k or top-p is none. */
export function sampledDecoding(get: (name: string) => string) {
  const number = (name: string) => (get(name) === "" ? null : Number(get(name)));
  return { kind: "sample" as const, temperature: Number(get("temperature")), top_k: number("topK"), top_p: number("topP") };
}
