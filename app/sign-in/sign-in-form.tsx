"use client";
// The sign-in form; next-auth checks the password (and the rate limit) on the server.
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

/** `notice`: why the visitor is here, when the server knows it (a disabled account, a refused single sign-on). */
export function SignInForm({ oidcName, notice }: { oidcName: string | null; notice: string | null }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(notice);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const result = await signIn("credentials", {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      redirect: false,
    });
    setPending(false);
    if (!result || result.error) {
      setError(result?.error ?? "Sign-in failed.");
      return;
    }
    router.replace("/");
    router.refresh();
  }

  return (
    <form className="card signin" onSubmit={onSubmit}>
      <h1>Sign in to Epsilon Ledger</h1>
      <label>
        Email
        <input name="email" type="email" autoComplete="username" required />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
      {oidcName && (
        <button type="button" className="secondary" onClick={() => signIn("oidc", { callbackUrl: "/" })}>
          Sign in with {oidcName}
        </button>
      )}
    </form>
  );
}
