// The root layout: document shell and the tRPC/React Query providers.
import type { Metadata } from "next";
import type { ReactNode } from "react";
import { Providers } from "./_trpc/client";
import "./globals.css";

export const metadata: Metadata = {
  title: "Epsilon Ledger",
  description: "Differentially private, governed fine-tuning of language models on personal data.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
