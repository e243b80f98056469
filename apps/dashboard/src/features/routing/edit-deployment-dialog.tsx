/**
 * Edit a deployment's settings (its provider and upstream model stay: another model is another
 * deployment). The edit names the version it was opened at; if someone else saved first the
 * server refuses it (409) and the dialog offers to reload their version.
 */
import type { DeploymentView } from "@switchyard/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { useZodForm } from "../../components/form/use-zod-form.ts";
import { FormDialog } from "../../components/form-dialog.tsx";
import { SaveProblems } from "../../components/save-problems.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import { useConflictAwareSave } from "../../lib/use-conflict-aware-save.ts";
import { deploymentToForm, EditDeploymentForm, type UpdateDeploymentFields } from "./deployment-forms.ts";
import { DeploymentSettingsFields } from "./deployment-settings-fields.tsx";
import { deploymentLabel } from "./deployments-table.tsx";

export function EditDeploymentDialog({
  deployment,
  onClose,
  reloadDeployment,
}: {
  /** The deployment to edit; null when closed. Render with `key={id}` so each starts afresh. */
  deployment: DeploymentView | null;
  onClose: () => void;
  /** The deployment as saved now (after a conflict); undefined when it is gone. */
  reloadDeployment: (id: string) => Promise<DeploymentView | undefined>;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useZodForm(EditDeploymentForm, deploymentToForm(deployment));

  const update = useMutation(
    trpc.routing.deployments.update.mutationOptions({
      onSuccess: async (saved) => {
        toast.success(`Deployment "${deploymentLabel(saved)}" saved`);
        onClose();
        await queryClient.invalidateQueries(trpc.routing.pathFilter());
      },
    }),
  );
  const save = useConflictAwareSave(update, {
    initial: deployment,
    fetchFresh: reloadDeployment,
    onReloaded: (fresh) => form.reset(deploymentToForm(fresh)),
    reloadFailedTitle: "Could not reload the deployment",
    // The timeouts are a group of boxes: the server's word on the group as a whole goes in the alert.
    formFields: Object.keys(deploymentToForm(null)).filter((name) => name !== "timeouts"),
  });
  const { base } = save;

  function onSubmit(fields: UpdateDeploymentFields) {
    if (!base || update.isPending) return;
    update.mutate({ ...fields, id: base.id, version: base.version });
  }

  return (
    <FormDialog
      open={deployment !== null}
      onOpenChange={(next) => !next && onClose()}
      title="Edit deployment"
      description={
        base ? `${deploymentLabel(base)}. Aliases that use it see the change within a second.` : ""
      }
      formId="edit-deployment-form"
      formLabel="Edit deployment"
      form={form}
      onSubmit={onSubmit}
      serverError={update.error}
      pending={update.isPending}
      submitDisabled={save.blocked}
      submitLabel="Save changes"
      contentClassName="max-h-[90svh] overflow-y-auto sm:max-w-xl"
    >
      <SaveProblems
        save={save}
        goneTitle="The deployment is gone"
        goneMessage="Someone deleted it. Close the dialog to see the current list."
        conflictTitle="Someone else saved this deployment first"
        failedTitle="Could not save the deployment"
      />
      <DeploymentSettingsFields idPrefix="edit-deployment" />
    </FormDialog>
  );
}
