// The head of a model version's tab pages: the way back to Models, the title and the tabs.
import Link from "next/link";
import type { Can } from "@/app/_trpc/types";
import { VersionTabs } from "./version-tabs";

type Tab = Parameters<typeof VersionTabs>[0]["current"];

export function VersionHeader({ family, version, versionId, title, can, current }: { family: string; version: number; versionId: string; title: string; can: Can; current: Tab }) {
  return (
    <>
      <p className="muted">
        <Link href="/models">Models</Link> / {family}
      </p>
      <h1>
        {family} v{version}: {title}
      </h1>
      <VersionTabs versionId={versionId} fineTuned can={can} current={current} />
    </>
  );
}
