import { type SectionId, sections } from "@switchyard/core";
import { ConstructionIcon } from "lucide-react";
import { PageHeader } from "../../components/page-header.tsx";
import { EmptyState } from "../../components/ui/empty-state.tsx";

/** A section whose issue has not landed yet says so plainly, and never shows made-up data. */
export function NotBuiltPage({ sectionId }: { sectionId: SectionId }) {
  const section = sections.find((s) => s.id === sectionId)!;
  return (
    <>
      <PageHeader title={section.label} />
      <EmptyState
        icon={<ConstructionIcon />}
        title="Not built yet"
        description="This section is not built yet. It arrives with its own issue."
      />
    </>
  );
}
