// The leakage procedures' refusals: an unknown model version is not found, not an internal error.
import { expect, it } from "vitest";
import { callerAs, refusal, testWorld } from "../testing";

it("leakage.overview of an unknown version answers NOT_FOUND", async () => {
  const world = await testWorld();
  const officer = callerAs(world.db, world.users.privacy_officer);
  expect(await refusal(officer.leakage.overview({ versionId: "00000000-0000-4000-8000-000000000000" }))).toMatchObject({
    code: "NOT_FOUND",
    message: "No such model version.",
  });
});
