import { useQuery } from "@tanstack/react-query";
import { SearchIcon } from "lucide-react";
import { type FormEvent, useEffect, useState } from "react";
import { TextField } from "../../components/text-field.tsx";
import { Button } from "../../components/ui/button.tsx";
import { FormField } from "../../components/ui/form-field.tsx";
import {
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
} from "../../components/ui/select.tsx";
import { fieldBinder } from "../../lib/bind-field.ts";
import { describeError } from "../../lib/errors.ts";
import type { FieldErrors } from "../../lib/form-errors.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { type AuditFilters, emptyFilters, toQueryInput } from "./filters.ts";

// Radix Select items cannot have an empty value; this one stands for "no action filter".
const allActions = "__all__";

export function AuditFilterForm({
  applied,
  onApply,
}: {
  applied: AuditFilters;
  onApply: (filters: AuditFilters) => void;
}) {
  const trpc = useTRPC();
  const actions = useQuery({ ...trpc.audit.actions.queryOptions(), staleTime: 60_000 });
  const [draft, setDraft] = useState(applied);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});

  // Back/forward navigation changes the applied filters; show them in the form.
  useEffect(() => {
    setDraft(applied);
    setFieldErrors({});
  }, [applied]);

  function set<K extends keyof AuditFilters>(key: K, value: AuditFilters[K]) {
    setDraft((d) => ({ ...d, [key]: value }));
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = toQueryInput(draft);
    if (!result.ok) {
      setFieldErrors(result.fieldErrors);
      return;
    }
    setFieldErrors({});
    onApply(draft);
  }

  const bind = fieldBinder(draft, set, fieldErrors);
  const actionOptions = [...(actions.data ?? [])];
  // Keep a value from the URL selectable even before (or if never) the list of actions arrives.
  if (draft.action && !actionOptions.includes(draft.action)) actionOptions.push(draft.action);

  return (
    <form
      onSubmit={onSubmit}
      noValidate
      aria-label="Audit filters"
      className="grid gap-4 rounded-xl border bg-card p-4 sm:grid-cols-2 lg:grid-cols-[repeat(5,minmax(0,1fr))]"
    >
      <TextField
        id="audit-actor"
        label="Actor email"
        type="text"
        inputMode="email"
        placeholder="someone@example.com"
        {...bind("actor")}
      />
      <FormField
        id="audit-action"
        label="Action"
        errors={
          actions.isError ? [`Could not load actions: ${describeError(actions.error).message}`] : undefined
        }
      >
        {(control) => (
          <Select
            value={draft.action || allActions}
            onValueChange={(value) => set("action", value === allActions ? "" : value)}
          >
            <SelectTrigger {...control}>
              <SelectValue placeholder="All actions" />
            </SelectTrigger>
            <SelectContent>
              <SelectItem value={allActions}>All actions</SelectItem>
              {actionOptions.map((action) => (
                <SelectItem key={action} value={action}>
                  {action}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        )}
      </FormField>
      <TextField
        id="audit-target"
        label="Target"
        type="text"
        placeholder="user, key id…"
        {...bind("target")}
      />
      <TextField id="audit-from" label="From" type="datetime-local" {...bind("from")} />
      <TextField id="audit-to" label="To" type="datetime-local" {...bind("to")} />
      <div className="flex flex-wrap gap-2 sm:col-span-2 lg:col-span-5">
        <Button type="submit">
          <SearchIcon aria-hidden />
          Apply filters
        </Button>
        <Button
          variant="ghost"
          onClick={() => {
            setDraft(emptyFilters);
            setFieldErrors({});
            onApply(emptyFilters);
          }}
        >
          Reset
        </Button>
      </div>
    </form>
  );
}
