/**
 * The audit filters: actor, action (core's list of actions, by label), target, a time range, and
 * "Hide sign-ins", which applies at once like a view switch while the others wait for Apply.
 */
import { auditActionLabel, auditActions } from "@switchyard/core";
import { SearchIcon } from "lucide-react";
import { useEffect } from "react";
import { Field, Form, TextField, ToggleField, useZodForm } from "../../components/form/index.ts";
import { Button } from "../../components/ui/button.tsx";
import {
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
} from "../../components/ui/select.tsx";
import { type AuditFilters, AuditFilterValues, emptyFilters } from "./filters.ts";

// Radix Select items cannot have an empty value; this one stands for "no action filter".
const allActions = "__all__";

export function AuditFilterForm({
  applied,
  onApply,
}: {
  applied: AuditFilters;
  onApply: (filters: AuditFilters) => void;
}) {
  const form = useZodForm(AuditFilterValues, applied);

  // Back/forward navigation changes the applied filters; show them in the form.
  useEffect(() => {
    form.reset(applied);
  }, [applied, form]);

  const action = form.watch("action");
  const actionOptions = auditActions.map(({ action, label }) => ({ value: action as string, label }));
  // Keep a value from the URL (an old name, a newer release's action) selectable as it was typed.
  if (action && !actionOptions.some((o) => o.value === action))
    actionOptions.push({ value: action, label: auditActionLabel(action) });

  return (
    <Form
      form={form}
      onSubmit={onApply}
      aria-label="Audit filters"
      className="grid grid-cols-1 gap-4 rounded-xl border bg-card p-4 sm:grid-cols-2 lg:grid-cols-[repeat(5,minmax(0,1fr))]"
    >
      <TextField
        name="actor"
        id="audit-actor"
        label="Actor email"
        type="text"
        inputMode="email"
        placeholder="someone@example.com"
      />
      <Field name="action" id="audit-action" label="Action">
        {({ field, control }) => (
          <Select
            value={field.value || allActions}
            onValueChange={(value) => field.onChange(value === allActions ? "" : value)}
          >
            <SelectTrigger {...control} ref={field.ref} onBlur={field.onBlur}>
              <SelectValue placeholder="All actions" />
            </SelectTrigger>
            <SelectContent>
              <SelectItem value={allActions}>All actions</SelectItem>
              {actionOptions.map((option) => (
                <SelectItem key={option.value} value={option.value}>
                  {option.label}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        )}
      </Field>
      <TextField name="target" id="audit-target" label="Target" type="text" placeholder="user, key id…" />
      <TextField name="from" id="audit-from" label="From" type="datetime-local" />
      <TextField name="to" id="audit-to" label="To" type="datetime-local" />
      <div className="flex flex-wrap items-center gap-2 sm:col-span-2 lg:col-span-5">
        <Button type="submit">
          <SearchIcon aria-hidden />
          Apply filters
        </Button>
        <Button
          variant="ghost"
          onClick={() => {
            form.reset(emptyFilters);
            onApply(emptyFilters);
          }}
        >
          Reset
        </Button>
        <ToggleField
          name="hideSignIns"
          id="audit-hide-sign-ins"
          kind="switch"
          label="Hide sign-ins"
          className="sm:ml-auto"
          onCheckedChange={(hideSignIns) => onApply({ ...applied, hideSignIns })}
        />
      </div>
    </Form>
  );
}
