// The audit log's filter, as the Audit page's list takes it and its export takes it in query parameters.
import { z } from "zod";

const filterText = z.string().trim().max(200).optional();

/** Action prefix, exact actor email, entity type and entity id; empty ones filter nothing. */
export const auditFilterInput = z.object({ action: filterText, actorEmail: filterText, entityType: filterText, entityId: filterText });
