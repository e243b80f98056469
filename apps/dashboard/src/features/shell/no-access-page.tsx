import { LockIcon } from "lucide-react";
import { Link } from "react-router";
import { PageHeader } from "../../components/page-header.tsx";
import { Button } from "../../components/ui/button.tsx";
import { EmptyState } from "../../components/ui/empty-state.tsx";
import { useSession } from "../auth/session.tsx";

export function NoAccessPage({ sectionLabel }: { sectionLabel: string }) {
  const { role } = useSession();
  return (
    <>
      <PageHeader title="You don't have access" />
      <EmptyState
        icon={<LockIcon />}
        title={`${sectionLabel} is not available to your role`}
        description={`Your role (${role}) cannot open this page. Ask an administrator if you need it.`}
        action={
          <Button asChild variant="outline">
            <Link to="/">Go to your start page</Link>
          </Button>
        }
      />
    </>
  );
}
