// The sign-in page: local accounts, and single sign-on when an OIDC provider is configured. A user whose account was
// disabled while signed in (their old session cookie says who they were) is told why they were signed out.
import { redirect } from "next/navigation";
import { serverCaller } from "@/app/_trpc/server";
import { signInNotice } from "@/server/auth/sign-in";
import { SignInForm } from "./sign-in-form";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string | string[] }> }) {
  const caller = await serverCaller();
  const options = await caller.session.signInOptions();
  if (options.signedIn) redirect("/");
  const { error } = await searchParams;
  return (
    <main className="center">
      <SignInForm oidcName={options.oidcName} notice={signInNotice(typeof error === "string" ? error : undefined, options.disabled)} />
    </main>
  );
}
