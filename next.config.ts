// Next.js configuration: native modules external, auth interrupts (403 pages), security headers, no-store API answers,
// the build's type check skipped for `npm start`. (The tRPC endpoint is served beside Next: server/http/dashboard-server.ts.)
import type { NextConfig } from "next";
import { NO_STORE } from "./server/http/no-store";
import { SECURITY_HEADERS } from "./server/http/security-headers";

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  serverExternalPackages: ["better-sqlite3", "@node-rs/argon2"],
  experimental: { authInterrupts: true },
  // `npm start` builds without Next's type check (half of a first start's build): it only serves the code, and types
  // are checked where code is changed, by `npm run typecheck` and by `npm test`, whose `next build` keeps the check.
  typescript: { ignoreBuildErrors: process.env.SKIP_BUILD_TYPECHECK === "1" },
  async headers() {
    return [
      { source: "/:path*", headers: [...SECURITY_HEADERS] },
      // API answers are per user (and downloads are private data): never stored by browsers or proxies.
      { source: "/api/:path*", headers: [{ key: "Cache-Control", value: NO_STORE }] },
    ];
  },
};

export default config;
