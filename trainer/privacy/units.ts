// The privacy units, defined once: what adjacency adds or removes, a record, a subject (a person, whose records carry
// its subject id), or a party (an institution of cross-institution training, with all its people's data). The
// database, the server, the trainer's protocol and its hold-out all import this enum.

import { z } from "zod";

export const PRIVACY_UNITS = ["record", "subject", "party"] as const;
export const privacyUnitSchema = z.enum(PRIVACY_UNITS);
export type PrivacyUnit = z.infer<typeof privacyUnitSchema>;
