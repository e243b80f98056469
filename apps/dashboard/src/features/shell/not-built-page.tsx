import { type SectionId, sections } from "@switchyard/core";
import { ConstructionIcon } from "lucide-react";
import { PageHeader } from "../../components/page-header.tsx";
import { EmptyState } from "../../components/ui/empty-state.tsx";

/** A section that is not available yet says so plainly, and never shows made-up data. */
export function NotBuiltPage({ sectionId }: { sectionId: SectionId }) {
  const section = sections.find((s) => s.id === sectionId)!;
  return (
    <>
      <PageHeader title={section.label} />
      <EmptyState
        icon={<ConstructionIcon />}
        title="Not available yet"
        description={`${section.label} is not available in this version of Switchyard yet.`}
      />
    </>
  );
}
