// next-auth configuration: local accounts (credentials) and an optional OIDC provider, JWT sessions carrying the role
// and the user's session version (sign-out raises it, voiding every session issued before).
import { decodeSessionToken, encodeSessionToken } from "./session-token";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { z } from "zod";
import type { Role } from "../../db/schema";
import { serverDb } from "../db";
import { env, oidcEnabled, type Env } from "../env";
import { AppError } from "../errors";
import { trustedProxies } from "./client-address";
import { endSessions } from "./sessions";
import { ACCOUNT_DISABLED_ERROR, authenticate, clientIp, findActiveUser, isDisabledEmail } from "./sign-in";

declare module "next-auth" {
  interface Session {
    user: { id: string; email: string; name: string; role: Role; sessionVersion: number };
  }
  interface User {
    role?: Role;
    sessionVersion?: number;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    role?: Role;
    sessionVersion?: number;
  }
}

const credentialsSchema = z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(200) });

const SESSION_MAX_AGE_S = 8 * 60 * 60;

function oidcProvider(e: Env & { OIDC_ISSUER: string; OIDC_CLIENT_ID: string; OIDC_CLIENT_SECRET: string }): OAuthConfig<{
  sub: string;
  email?: string;
  name?: string;
}> {
  return {
    id: "oidc",
    name: e.OIDC_DISPLAY_NAME,
    type: "oauth",
    wellKnown: `${e.OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
    clientId: e.OIDC_CLIENT_ID,
    clientSecret: e.OIDC_CLIENT_SECRET,
    idToken: true,
    checks: ["pkce", "state"],
    authorization: { params: { scope: "openid email profile" } },
    profile: (p) => ({ id: p.sub, email: p.email ?? null, name: p.name ?? p.email ?? p.sub }),
  };
}

export function secureCookies(e: Pick<Env, "NEXTAUTH_URL">): boolean {
  return new URL(e.NEXTAUTH_URL).protocol === "https:";
}

let options: NextAuthOptions | undefined;

export function authOptions(): NextAuthOptions {
  if (options) return options;
  const e = env();
  const trusted = trustedProxies(e.TRUSTED_PROXIES);
  options = {
    secret: e.NEXTAUTH_SECRET,
    // Secure (and __Secure- prefixed) session cookies whenever the dashboard is served over HTTPS.
    useSecureCookies: secureCookies(e),
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S },
    jwt: { encode: encodeSessionToken, decode: decodeSessionToken },
    pages: { signIn: "/sign-in", error: "/sign-in" },
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, req) {
          const parsed = credentialsSchema.safeParse(credentials);
          if (!parsed.success) throw new Error("Enter your email and password.");
          try {
            const user = await authenticate(
              serverDb(),
              { ...parsed.data, ip: clientIp(req.headers ?? {}, trusted) },
              { perAccount: e.SIGN_IN_MAX_FAILURES_PER_ACCOUNT, perIp: e.SIGN_IN_MAX_FAILURES_PER_IP },
            );
            return { id: user.id, email: user.email, name: user.name, role: user.role, sessionVersion: user.sessionVersion };
          } catch (err) {
            // next-auth passes the message of an Error thrown here to the sign-in page.
            if (err instanceof AppError) throw new Error(err.message);
            throw err;
          }
        },
      }),
      ...(oidcEnabled(e) ? [oidcProvider(e)] : []),
    ],
    callbacks: {
      // OIDC proves an email address; only an existing, active local account with that address may sign in. The
      // provider has just proven the address is the caller's, so a disabled account is named as such.
      async signIn({ user, account }) {
        if (account?.provider === "credentials") return true;
        if (user.email && (await findActiveUser(serverDb(), { email: user.email }))) return true;
        return user.email && (await isDisabledEmail(serverDb(), user.email)) ? `/sign-in?error=${ACCOUNT_DISABLED_ERROR}` : false;
      },
      async jwt({ token, user, account }) {
        if (user && account) {
          const local = account.provider === "credentials" ? user : await findActiveUser(serverDb(), { email: user.email ?? "" });
          if (!local) return token;
          token.sub = local.id;
          token.role = local.role;
          token.email = local.email;
          token.name = local.name;
          token.sessionVersion = local.sessionVersion;
        }
        return token;
      },
      session({ session, token }) {
        if (token.sub && token.role && token.sessionVersion !== undefined) {
          session.user = { id: token.sub, email: token.email ?? "", name: token.name ?? "", role: token.role, sessionVersion: token.sessionVersion };
        }
        return session;
      },
    },
    events: {
      // Signing out voids this session and every other one of the user's, wherever its cookie was copied to.
      async signOut({ token }) {
        if (token?.sub && token.sessionVersion !== undefined) await endSessions(serverDb(), { userId: token.sub, sessionVersion: token.sessionVersion });
      },
    },
  };
  return options;
}
