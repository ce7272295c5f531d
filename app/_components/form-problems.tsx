"use client";
// What is wrong with a form: the problems the form's own check of the server's schema found (nothing was sent), else
// the server's refusal.
import type { TRPCClientErrorLike } from "@trpc/client";
import type { z } from "zod";
import type { AppRouter } from "@/server/root";
import { ErrorMessage } from "./error-message";

/** The distinct messages of a schema check that failed; none when it passed. */
export function problemsOf(checked: z.ZodSafeParseResult<unknown>): string[] {
  return checked.success ? [] : [...new Set(checked.error.issues.map((i) => i.message))];
}

export function FormProblems({ problems, error }: { problems: readonly string[]; error: TRPCClientErrorLike<AppRouter> | null }) {
  if (problems.length === 0) return <ErrorMessage error={error} />;
  return (
    <div role="alert" className="error">
      <ul>
        {problems.map((m) => (
          <li key={m}>{m}</li>
        ))}
      </ul>
    </div>
  );
}
