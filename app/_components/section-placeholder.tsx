// A section whose features have not landed yet: its name and what it will hold.
import type { Section } from "../../server/auth/access";

export function SectionPlaceholder({ section }: { section: Section }) {
  return (
    <>
      <h1>{section.label}</h1>
      <div className="card">
        <p>{section.summary}</p>
        <p className="muted">This section is being built.</p>
      </div>
    </>
  );
}
