// A party's side of an overlap of subjects through the coordinator's mailbox: on the coordinator's start it sends its
// blinded subject ids to every peer; it reblinds what each peer sends and returns it; once it has every peer's list
// and its own list back from every peer, it reports counts only (overlapReport) to the coordinator.
import type { Mail, MailKind } from "../contract/federation/messages";
import { PsiParty, overlapReport, type WirePoint } from "./psi";

type Send = (session: string, to: string, kind: MailKind, body: Record<string, unknown>) => Promise<void>;

interface Session {
  psi: PsiParty;
  peers: string[];
  /** Each peer's blinded list, as it sent it. */
  theirs: Map<string, WirePoint[]>;
  /** This party's list as each peer returned it, reblinded. */
  mine: Map<string, WirePoint[]>;
  reported: boolean;
}

const points = (body: Record<string, unknown>) => body.points as WirePoint[];

export class PartyOverlaps {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly partyId: string,
    private readonly subjects: readonly string[],
    private readonly send: Send,
  ) {}

  async onMail(mail: Mail): Promise<void> {
    if (mail.kind === "psi.start") {
      const peers = (mail.body.peers as string[]).filter((p) => p !== this.partyId);
      const session: Session = { psi: new PsiParty(this.subjects), peers, theirs: new Map(), mine: new Map(), reported: false };
      this.sessions.set(mail.session, session);
      const blinded = session.psi.blindOwn();
      for (const peer of peers) await this.send(mail.session, peer, "psi.blinded", { points: blinded });
      return this.reportIfDone(mail.session, session);
    }
    const session = this.sessions.get(mail.session);
    if (!session) return; // a session this process did not start (it restarted since): the coordinator's waits for it in vain
    if (mail.kind === "psi.blinded") {
      session.theirs.set(mail.from, points(mail.body));
      await this.send(mail.session, mail.from, "psi.reblinded", { points: session.psi.reblind(points(mail.body)) });
    } else if (mail.kind === "psi.reblinded") {
      session.mine.set(mail.from, points(mail.body));
    }
    await this.reportIfDone(mail.session, session);
  }

  private async reportIfDone(id: string, session: Session): Promise<void> {
    if (session.reported || !session.peers.every((p) => session.theirs.has(p) && session.mine.has(p))) return;
    session.reported = true;
    const held = new Map(session.peers.map((p) => [p, session.psi.heldByOther(session.mine.get(p)!, session.theirs.get(p)!)]));
    await this.send(id, "coordinator", "psi.report", { ...overlapReport(this.partyId, session.psi.size, held) });
  }
}
