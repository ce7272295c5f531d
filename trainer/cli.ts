// The trainer's command line, a process of its own (the server spawns it; Next never bundles it):
//   npm run trainer -- train [--spec FILE] [--resume]   fine-tune as the run spec says (stdin if no --spec, or "-");
//                                                       JSON lines on stdout (protocol.ts), progress on stderr
//   npm run trainer -- pretrain [options]               train the base model on a public-domain corpus (pretrain.ts)
//   npm run trainer -- help
// Exit status: 0 when the run finished (completed, stopped by its budget, or interrupted by SIGTERM with a
// checkpoint), 1 when it failed, 2 for bad arguments or an invalid spec.

import { readFileSync } from 'node:fs';
import { DEFAULT_PRETRAIN_OPTIONS, parsePretrainArgs, pretrain } from './pretrain.js';
import { messageLine, parseRunSpec, type Message } from './protocol.js';
import { runTraining } from './train.js';

const USAGE = `usage:
  npm run trainer -- train [--spec FILE] [--resume]
      Fine-tunes as the run spec (JSON, protocol version 1; see trainer/protocol.ts) says; reads the spec from
      stdin when --spec is absent or "-". Writes protocol messages as JSON lines on stdout. SIGTERM stops the run
      at the next step boundary with a checkpoint; --resume continues the same spec from that checkpoint.
  npm run trainer -- pretrain [--out DIR] [--steps N] [--batch N] [--learning-rate X] [--seed N] [--backend NAME]
      Trains the base model, without privacy, on the public-domain text of ${DEFAULT_PRETRAIN_OPTIONS.corpus}
      (default output ${DEFAULT_PRETRAIN_OPTIONS.out}, ${DEFAULT_PRETRAIN_OPTIONS.steps} steps); prints one JSON
      object with the model directory and its digests.
  npm run trainer -- help
`;

class UsageError extends Error {}

const log = (line: string) => process.stderr.write(`${line}\n`);

async function train(args: string[]): Promise<number> {
  let specPath = '-';
  let resume = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--spec' && args[i + 1] !== undefined) specPath = args[++i] as string;
    else if (args[i] === '--resume') resume = true;
    else throw new UsageError(`unknown argument ${args[i]}`);
  }
  const emit = (message: Message) => process.stdout.write(messageLine(message));
  let spec;
  try {
    spec = parseRunSpec(JSON.parse(readFileSync(specPath === '-' ? 0 : specPath, 'utf8')));
  } catch (error) {
    emit({ type: 'failed', reason: (error as Error).message, step: null });
    return 2;
  }
  let stop = false;
  const onSignal = (signal: string) => {
    stop = true;
    log(`${signal}: stopping at the next step boundary`);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    await runTraining(spec, { emit, log, stopRequested: () => stop }, { resume });
    return 0;
  } catch (error) {
    log((error as Error).stack ?? String(error));
    emit({ type: 'failed', reason: (error as Error).message, step: null });
    return 1;
  }
}

async function main(argv: string[]): Promise<number> {
  // stdout carries the protocol only: anything a library logs goes to stderr.
  console.log = console.error;
  console.info = console.error;
  console.warn = console.error;
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'train':
        return await train(args);
      case 'pretrain': {
        const result = await pretrain(parsePretrainArgs(args), log);
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return 0;
      }
      case 'help':
      case undefined:
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error as Error).name === 'PretrainUsageError') {
      log(`trainer: ${(error as Error).message}\n${USAGE}`);
      return 2;
    }
    log(`trainer: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
