"use client";
// Shows a server error to the user: the message, and each invalid field when the input was refused.
import type { TRPCClientErrorLike } from "@trpc/client";
import type { AppRouter } from "@/server/root";

export function ErrorMessage({ error }: { error: TRPCClientErrorLike<AppRouter> | null }) {
  if (!error) return null;
  const issues = error.data?.issues;
  return (
    <div role="alert" className="error">
      {issues && issues.length > 0 ? (
        <ul>
          {issues.map((i) => (
            <li key={i.path + i.message}>
              {i.path ? `${i.path}: ` : ""}
              {i.message}
            </li>
          ))}
        </ul>
      ) : (
        error.message
      )}
    </div>
  );
}
