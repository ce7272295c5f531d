// An entity (dataset, model version, run, incident, user) by its name, linked to its page when `can` says the reader
// may call the procedure that page reads; the id is on hover, or shown alone when the entity no longer exists.
import Link from "next/link";
import type { Can } from "@/app/_trpc/types";
import type { EntityName } from "@/server/audit/entity-names";

export function EntityLink({ name, id, can }: { name: EntityName; id: string; can: Can }) {
  if (!name.found) return <span className="mono">{id}</span>;
  return name.href && name.needs && can[name.needs as keyof Can] ? (
    <Link href={name.href} title={id}>
      {name.label}
    </Link>
  ) : (
    <span title={id}>{name.label}</span>
  );
}

const UUID = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/;

/** Free text (an incident note) with the ids of known entities replaced by their linked names. */
export function TextWithEntities({ text, names, can }: { text: string; names: Map<string, EntityName>; can: Can }) {
  return (
    <>
      {text.split(UUID).map((part, i) => {
        const name = i % 2 === 1 ? names.get(part) : undefined;
        return name ? <EntityLink key={i} name={name} id={part} can={can} /> : part;
      })}
    </>
  );
}
