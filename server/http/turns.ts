// Work that waits its turn: at most `limit` at once, the rest started in the order they came as earlier ones end.
// The dashboard server runs its API reads this way (dashboard-server.ts).

/** Runs `work` in its turn; a turn ends when its work settles, whether it succeeded or not. */
export type InTurn = <T>(work: () => Promise<T>) => Promise<T>;

export function turns(limit: number): InTurn {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    if (running < limit) running++;
    else await new Promise<void>((start) => waiting.push(start)); // the one that ends hands its turn on
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
