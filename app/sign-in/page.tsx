// The sign-in page: local accounts, and single sign-on when an OIDC provider is configured.
import { redirect } from "next/navigation";
import { serverCaller } from "@/app/_trpc/server";
import { SignInForm } from "./sign-in-form";

export default async function SignInPage() {
  const caller = await serverCaller();
  const options = await caller.session.signInOptions();
  if (options.signedIn) redirect("/");
  return (
    <main className="center">
      <SignInForm oidcName={options.oidcName} />
    </main>
  );
}
