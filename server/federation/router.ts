// tRPC procedures of the Federation page: everyone who reads training or datasets sees the parties, the federation's
// declarations and its rounds; admins register (getting the one-time enrolment token) and revoke parties; privacy
// officers start overlaps of the parties' subjects (private set intersection), whose counts everyone reads, and record
// the enrolled parties' declarations as a version of the federation's lineage, on which engineers launch federated
// runs (runs.launch, with federation settings).
import { env } from "../env";
import { allowedTo, router } from "../trpc";
import { recordDeclarations } from "./declarations";
import { listOverlaps, startOverlap } from "./mailbox";
import { federationCohort, listRounds } from "./round-views";
import { listParties, partyIdInput, registerParty, registerPartyInput, revokeParty } from "./service";

const reader = allowedTo("readFederation");

export const federationRouter = router({
  parties: reader.query(({ ctx }) => listParties(ctx.db)),
  registerParty: allowedTo("administer").input(registerPartyInput).mutation(({ ctx, input }) => registerParty(ctx.db, ctx.actor, input)),
  revokeParty: allowedTo("administer").input(partyIdInput).mutation(({ ctx, input }) => revokeParty(ctx.db, ctx.actor, input)),
  overlaps: reader.query(({ ctx }) => listOverlaps(ctx.db)),
  startOverlap: allowedTo("govern").mutation(({ ctx }) => startOverlap(ctx.db, ctx.actor)),
  cohort: reader.query(({ ctx }) => federationCohort(ctx.db)),
  recordDeclarations: allowedTo("govern").mutation(({ ctx }) => recordDeclarations(ctx.db, ctx.actor, env().DATA_DIR)),
  rounds: reader.query(({ ctx }) => listRounds(ctx.db)),
});
