// tRPC procedures of the Federation page: everyone who reads training or datasets sees the parties; admins register
// (getting the one-time enrolment token) and revoke them; privacy officers start overlaps of the parties' subjects
// (private set intersection), whose counts everyone reads.
import { allowedTo, router } from "../trpc";
import { listOverlaps, startOverlap } from "./mailbox";
import { listParties, partyIdInput, registerParty, registerPartyInput, revokeParty } from "./service";

export const federationRouter = router({
  parties: allowedTo("readFederation").query(({ ctx }) => listParties(ctx.db)),
  registerParty: allowedTo("administer").input(registerPartyInput).mutation(({ ctx, input }) => registerParty(ctx.db, ctx.actor, input)),
  revokeParty: allowedTo("administer").input(partyIdInput).mutation(({ ctx, input }) => revokeParty(ctx.db, ctx.actor, input)),
  overlaps: allowedTo("readFederation").query(({ ctx }) => listOverlaps(ctx.db)),
  startOverlap: allowedTo("govern").mutation(({ ctx }) => startOverlap(ctx.db, ctx.actor)),
});
