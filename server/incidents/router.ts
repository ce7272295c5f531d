// tRPC procedures for incidents: privacy officers open, annotate, contain and close them; auditors read.
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { users } from "../../db/schema";
import { actorOf } from "../actor";
import { roleProcedure, router } from "../trpc";
import {
  addNote,
  assignOwner,
  freezeBudget,
  freezeInput,
  incidentDetail,
  listIncidents,
  noteInput,
  openIncident,
  openIncidentInput,
  ownerInput,
  setIncidentStatus,
  statusInput,
  withdrawInput,
  withdrawModel,
} from "./service";

const reader = roleProcedure("privacy_officer", "auditor");
const officer = roleProcedure("privacy_officer");

export const incidentsRouter = router({
  /** Active privacy officers, who may own incidents. */
  officers: officer.query(({ ctx }) =>
    ctx.db
      .select({ id: users.id, email: users.email })
      .from(users)
      .where(and(eq(users.role, "privacy_officer"), eq(users.disabled, false)))
      .all(),
  ),
  list: reader.query(({ ctx }) => listIncidents(ctx.db)),
  get: reader.input(z.object({ incidentId: z.uuid() })).query(({ ctx, input }) => incidentDetail(ctx.db, input.incidentId)),
  open: officer.input(openIncidentInput).mutation(({ ctx, input }) => openIncident(ctx.db, actorOf(ctx.user), input)),
  note: officer.input(noteInput).mutation(({ ctx, input }) => addNote(ctx.db, actorOf(ctx.user), input)),
  setStatus: officer.input(statusInput).mutation(({ ctx, input }) => setIncidentStatus(ctx.db, actorOf(ctx.user), input)),
  assign: officer.input(ownerInput).mutation(({ ctx, input }) => assignOwner(ctx.db, actorOf(ctx.user), input)),
  withdrawModel: officer.input(withdrawInput).mutation(({ ctx, input }) => withdrawModel(ctx.db, actorOf(ctx.user), input)),
  freezeBudget: officer.input(freezeInput).mutation(({ ctx, input }) => freezeBudget(ctx.db, actorOf(ctx.user), input)),
});
