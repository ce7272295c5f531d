// The coordinator's HTTP endpoints for party processes (not browsers: no session, no cookie): POST
// /api/federation/enrol with the one-time token, and POST /api/federation/messages with signed envelopes. Bodies are
// bounded; every refusal is JSON with its reason.
import type { Db } from "../../db/client";
import { AppError } from "../errors";
import { errorResponse } from "../http/error-response";
import { PayloadTooLargeError, payloadTooLargeResponse, readBoundedBody } from "../http/bounded-body";
import { acceptMessage, enrolParty } from "./service";

/** A party's messages: a status, a poll, or mail such as a list of blinded subject ids (66 bytes each). */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

async function jsonBody(req: Request): Promise<unknown> {
  const bytes = await readBoundedBody(req, MAX_MESSAGE_BYTES);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new AppError("BAD_REQUEST", "The body is not JSON.");
  }
}

async function answer(req: Request, handle: (body: unknown) => Promise<unknown>, status = 200): Promise<Response> {
  try {
    return Response.json(await handle(await jsonBody(req)), { status });
  } catch (err) {
    if (err instanceof PayloadTooLargeError) return payloadTooLargeResponse(err);
    return errorResponse(err);
  }
}

export function handleEnrol(req: Request, db: Db): Promise<Response> {
  return answer(req, (body) => enrolParty(db, body), 201);
}

export function handleMessage(req: Request, db: Db): Promise<Response> {
  return answer(req, (body) => acceptMessage(db, body));
}
