/**
 * The audit filters: actor, action (core's list of actions, by label), target, a time range, and
 * "Hide sign-ins", which applies at once like a view switch while the others wait for Apply.
 */
import { auditActionLabel, auditActions } from "@switchyard/core";
import { SearchIcon } from "lucide-react";
import { type FormEvent, useEffect, useState } from "react";
import { TextField } from "../../components/text-field.tsx";
import { Button } from "../../components/ui/button.tsx";
import { FormField } from "../../components/ui/form-field.tsx";
import { Label } from "../../components/ui/label.tsx";
import {
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
} from "../../components/ui/select.tsx";
import { Switch } from "../../components/ui/switch.tsx";
import { fieldBinder } from "../../lib/bind-field.ts";
import type { FieldErrors } from "../../lib/form-errors.ts";
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
  const actionOptions = auditActions.map(({ action, label }) => ({ value: action as string, label }));
  // Keep a value from the URL (an old name, a newer release's action) selectable as it was typed.
  if (draft.action && !actionOptions.some((o) => o.value === draft.action))
    actionOptions.push({ value: draft.action, label: auditActionLabel(draft.action) });

  return (
    <form
      onSubmit={onSubmit}
      noValidate
      aria-label="Audit filters"
      className="grid grid-cols-1 gap-4 rounded-xl border bg-card p-4 sm:grid-cols-2 lg:grid-cols-[repeat(5,minmax(0,1fr))]"
    >
      <TextField
        id="audit-actor"
        label="Actor email"
        type="text"
        inputMode="email"
        placeholder="someone@example.com"
        {...bind("actor")}
      />
      <FormField id="audit-action" label="Action">
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
              {actionOptions.map((option) => (
                <SelectItem key={option.value} value={option.value}>
                  {option.label}
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
      <div className="flex flex-wrap items-center gap-2 sm:col-span-2 lg:col-span-5">
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
        <div className="flex items-center gap-2 sm:ml-auto">
          <Switch
            id="audit-hide-sign-ins"
            checked={draft.hideSignIns}
            onCheckedChange={(hideSignIns) => {
              set("hideSignIns", hideSignIns);
              onApply({ ...applied, hideSignIns });
            }}
          />
          <Label htmlFor="audit-hide-sign-ins">Hide sign-ins</Label>
        </div>
      </div>
    </form>
  );
}
