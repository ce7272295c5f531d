// The tabs of a model version's pages: its overview, and (of a fine-tuned version) its synthetic datasets and, for
// privacy officers and auditors, its red-team exercises.
import Link from "next/link";
import type { Can } from "@/app/_trpc/types";

export function VersionTabs({ versionId, fineTuned, can, current }: { versionId: string; fineTuned: boolean; can: Can; current: "overview" | "synthetic" | "red-team" }) {
  const tabs = [
    { id: "overview", label: "Overview", href: `/models/${versionId}` },
    ...(fineTuned && can["synthetic.ofModel"] ? [{ id: "synthetic", label: "Synthetic data", href: `/models/${versionId}/synthetic` }] : []),
    ...(fineTuned && can["redTeam.list"] ? [{ id: "red-team", label: "Red team", href: `/models/${versionId}/red-team` }] : []),
  ];
  if (tabs.length < 2) return null;
  return (
    <nav className="tabs" aria-label="Version pages">
      {tabs.map((t) => (
        <Link key={t.id} href={t.href} aria-current={t.id === current ? "page" : undefined}>
          {t.label}
        </Link>
      ))}
    </nav>
  );
}
