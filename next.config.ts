// Next.js configuration: native modules external, auth interrupts (403 pages), security headers, no-store API answers,
// the build's type check skipped for `npm start`.
import type { NextConfig } from "next";
import { NO_STORE } from "./server/http/no-store";

const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Content-Security-Policy", value: "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
];

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
      { source: "/:path*", headers: securityHeaders },
      // API answers are per user (and downloads are private data): never stored by browsers or proxies.
      { source: "/api/:path*", headers: [{ key: "Cache-Control", value: NO_STORE }] },
    ];
  },
};

export default config;
