/** The sidebar's list of sections: exactly those the user's role may open (core's `sectionsFor`). */
import { sectionsFor } from "@switchyard/core";
import { NavLink } from "react-router";
import { cn } from "../../lib/utils.ts";
import { useSession } from "../auth/session.tsx";
import { sectionIcons } from "./section-icons.ts";

export function SectionNav({ onNavigate }: { onNavigate?: () => void }) {
  const { role } = useSession();
  return (
    <nav aria-label="Sections" className="flex flex-col gap-0.5 px-3">
      {sectionsFor(role).map((section) => {
        const Icon = sectionIcons[section.id];
        return (
          <NavLink
            key={section.id}
            to={`/${section.id}`}
            onClick={onNavigate}
            className={({ isActive }) =>
              cn(
                "flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium text-sidebar-foreground/80 transition-colors hover:bg-sidebar-accent hover:text-sidebar-accent-foreground",
                "outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50",
                section.id === "settings" && "mt-4",
                isActive && "bg-sidebar-accent text-sidebar-accent-foreground",
              )
            }
          >
            <Icon className="size-4 shrink-0" aria-hidden />
            {section.label}
          </NavLink>
        );
      })}
    </nav>
  );
}
