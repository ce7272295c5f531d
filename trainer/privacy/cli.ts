// The dp command line (`npm run --silent dp -- <command> ...`): epsilon of a DP-SGD run, calibration of the noise
// multiplier, and per-step RDP, for the server, scripts and people. With --json it prints one JSON object on
// stdout; bad arguments exit with status 2 and a message naming the argument on stderr, other failures with 1.
// An unbounded epsilon (the PLD accountant asked for a delta below its truncation floor, about 1e-14) is printed
// as null in JSON and Infinity in text.

import { createAccountant } from "./accountant";
import { calibrateNoiseMultiplier } from "./calibrate";
import { CliUsageError, parseCliArgs, USAGE, type CliCommand } from "./cli-args";
import { dpSgdEvent } from "./events";
import { subsampledGaussianRdp } from "./rdp";

const run = (command: CliCommand): string => {
  switch (command.command) {
    case "help":
      return USAGE.trimEnd();
    case "epsilon": {
      const { samplingRate, noiseMultiplier, steps, delta, json } = command;
      const accountant = createAccountant(command.accountant, { discretisationInterval: command.discretisationInterval });
      const epsilon = accountant.epsilon(dpSgdEvent(samplingRate, noiseMultiplier, steps), delta);
      return json
        ? JSON.stringify({ epsilon, delta, accountant: accountant.name })
        : `epsilon = ${epsilon.toFixed(4)} at delta = ${delta} for ${steps} steps at sampling rate ${samplingRate}, ` +
            `noise multiplier ${noiseMultiplier} (${accountant.description})`;
    }
    case "calibrate": {
      const { targetEpsilon, delta, samplingRate, steps, json } = command;
      const accountant = createAccountant(command.accountant, { discretisationInterval: command.discretisationInterval });
      const { noiseMultiplier, epsilon } = calibrateNoiseMultiplier(
        { targetEpsilon, delta, samplingRate, steps },
        accountant,
      );
      return json
        ? JSON.stringify({ noise_multiplier: noiseMultiplier, epsilon })
        : `noise multiplier = ${noiseMultiplier.toFixed(4)} gives epsilon = ${epsilon.toFixed(4)} <= ${targetEpsilon} ` +
            `at delta = ${delta} for ${steps} steps at sampling rate ${samplingRate} (${accountant.description})`;
    }
    case "rdp": {
      const { samplingRate, noiseMultiplier, orders, json } = command;
      const rdp = orders.map((order) => subsampledGaussianRdp(samplingRate, noiseMultiplier, order));
      return json
        ? JSON.stringify({ orders, rdp })
        : `RDP of one step at sampling rate ${samplingRate}, noise multiplier ${noiseMultiplier}: ` +
            orders.map((order, k) => `order ${order}: ${(rdp[k] as number).toPrecision(6)}`).join(", ");
    }
  }
};

try {
  process.stdout.write(`${run(parseCliArgs(process.argv.slice(2)))}\n`);
} catch (error) {
  const usage = error instanceof CliUsageError;
  process.stderr.write(`dp: ${(error as Error).message}\n${usage ? "run `npm run dp -- help` for usage\n" : ""}`);
  process.exitCode = usage ? 2 : 1;
}
