// tRPC procedures for incidents: privacy officers open, annotate, contain and close them; auditors read.
import { z } from "zod";
import { allowedTo, router } from "../trpc";
import {
  activeOfficers,
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
import { keepRunFiles, keepRunFilesInput } from "./keep-run-files";

const reader = allowedTo("oversee");
const officer = allowedTo("govern");

export const incidentsRouter = router({
  /** Active privacy officers, who may own incidents. */
  officers: officer.query(({ ctx }) => activeOfficers(ctx.db)),
  list: reader.query(({ ctx }) => listIncidents(ctx.db)),
  get: reader.input(z.object({ incidentId: z.uuid() })).query(({ ctx, input }) => incidentDetail(ctx.db, input.incidentId)),
  open: officer.input(openIncidentInput).mutation(({ ctx, input }) => openIncident(ctx.db, ctx.actor, input)),
  note: officer.input(noteInput).mutation(({ ctx, input }) => addNote(ctx.db, ctx.actor, input)),
  setStatus: officer.input(statusInput).mutation(({ ctx, input }) => setIncidentStatus(ctx.db, ctx.actor, input)),
  assign: officer.input(ownerInput).mutation(({ ctx, input }) => assignOwner(ctx.db, ctx.actor, input)),
  withdrawModel: officer.input(withdrawInput).mutation(({ ctx, input }) => withdrawModel(ctx.db, ctx.actor, input)),
  freezeBudget: officer.input(freezeInput).mutation(({ ctx, input }) => freezeBudget(ctx.db, ctx.actor, input)),
  keepRunFiles: officer.input(keepRunFilesInput).mutation(({ ctx, input }) => keepRunFiles(ctx.db, ctx.actor, input)),
});
