// An entity (dataset, model version, run, incident, user) by its name, linked to its page when the reader may open
// it; the id is on hover, or shown alone when the entity no longer exists.
import Link from "next/link";
import type { EntityName } from "@/server/audit/entity-names";

export function EntityLink({ name, id }: { name: EntityName; id: string }) {
  if (!name.found) return <span className="mono">{id}</span>;
  return name.href ? (
    <Link href={name.href} title={id}>
      {name.label}
    </Link>
  ) : (
    <span title={id}>{name.label}</span>
  );
}

const UUID = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/;

/** Free text (an incident note) with the ids of known entities replaced by their linked names. */
export function TextWithEntities({ text, names }: { text: string; names: Map<string, EntityName> }) {
  return (
    <>
      {text.split(UUID).map((part, i) => {
        const name = i % 2 === 1 ? names.get(part) : undefined;
        return name ? <EntityLink key={i} name={name} id={part} /> : part;
      })}
    </>
  );
}
