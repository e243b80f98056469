import { sectionsFor } from "@switchyard/core";
import { Navigate } from "react-router";
import { useSession } from "../auth/session.tsx";

/** `/` opens the first section the role may see (keys for admins, moderation for reviewers...). */
export function HomeRedirect() {
  const { role } = useSession();
  const first = sectionsFor(role)[0];
  return <Navigate to={`/${first?.id ?? "settings"}`} replace />;
}
