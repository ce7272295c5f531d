// Test helper: the coordinator's two endpoints on a local HTTP server, as party processes reach them, keeping every
// request body it received (to show what left the parties).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Db } from "../../db/client";
import { requestFromNode, sendResponse } from "../http/node-bridge";
import { handleEnrol, handleMessage } from "./http";

export interface TestCoordinator {
  url: string;
  /** Every request body, in arrival order. */
  received: string[];
  close(): Promise<void>;
}

export async function startTestCoordinator(db: Db): Promise<TestCoordinator> {
  const received: string[] = [];
  const server = createServer((req, res) => {
    const request = requestFromNode(req, res);
    void (async () => {
      received.push(await request.clone().text());
      await sendResponse(res, await (req.url === "/api/federation/enrol" ? handleEnrol : handleMessage)(request, db));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: async () => {
      // Party processes poll with keep-alive connections: they go too.
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
