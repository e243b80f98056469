/**
 * A deployment's settings in a form: kind, context window, max output tokens, region, tags, the
 * price per million tokens, and the timeouts in a group that starts collapsed (with the defaults
 * filled in) and opens by itself when one of them is in error, so the error is seen and focused.
 */
import { useFormState } from "react-hook-form";
import { Field, TextField } from "../../components/form/fields.tsx";
import {
  Select,
  SelectContent,
  SelectItem,
  SelectTrigger,
  SelectValue,
} from "../../components/ui/select.tsx";
import { kindLabels } from "./deployment-kinds.ts";

export function DeploymentSettingsFields({ idPrefix }: { idPrefix: string }) {
  const { errors } = useFormState({ name: "timeouts" });
  const timeoutsInError = errors.timeouts !== undefined;
  const id = (name: string) => `${idPrefix}-${name}`;
  return (
    <>
      <Field name="kind" id={id("kind")} label="Kind">
        {({ field, control }) => (
          <Select value={field.value} onValueChange={field.onChange}>
            <SelectTrigger {...control} ref={field.ref} onBlur={field.onBlur}>
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              {Object.entries(kindLabels).map(([kind, label]) => (
                <SelectItem key={kind} value={kind}>
                  {label}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        )}
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField
          name="contextWindow"
          id={id("context-window")}
          label="Context window (tokens)"
          inputMode="numeric"
          placeholder="128000"
          autoComplete="off"
        />
        <TextField
          name="maxOutputTokens"
          id={id("max-output-tokens")}
          label="Max output tokens"
          inputMode="numeric"
          placeholder="16384"
          autoComplete="off"
        />
        <TextField
          name="inputPrice"
          id={id("input-price")}
          label="Input price ($ per 1M tokens)"
          inputMode="decimal"
          placeholder="0.00"
          autoComplete="off"
        />
        <TextField
          name="outputPrice"
          id={id("output-price")}
          label="Output price ($ per 1M tokens)"
          inputMode="decimal"
          placeholder="0.00"
          autoComplete="off"
        />
        <TextField name="region" id={id("region")} label="Region" placeholder="eu-west" autoComplete="off" />
        <TextField
          name="tags"
          id={id("tags")}
          label="Tags"
          description="Comma-separated."
          placeholder="gpu, batch"
          autoComplete="off"
        />
      </div>
      {/* Keyed on the error so that it opens when a timeout is in error, yet the user can close it. */}
      <details
        key={timeoutsInError ? "open" : "closed"}
        open={timeoutsInError || undefined}
        className="rounded-md border px-3 py-2"
      >
        <summary className="cursor-pointer text-sm font-medium">Timeouts</summary>
        <div className="mt-3 grid gap-4 sm:grid-cols-2">
          <TextField
            name="timeouts.connectMs"
            id={id("connect-ms")}
            label="Connect (ms)"
            inputMode="numeric"
          />
          <TextField
            name="timeouts.firstByteMs"
            id={id("first-byte-ms")}
            label="First byte (ms)"
            inputMode="numeric"
          />
          <TextField
            name="timeouts.firstTokenMs"
            id={id("first-token-ms")}
            label="First token (ms)"
            description="Empty: no limit of its own."
            inputMode="numeric"
          />
          <TextField
            name="timeouts.betweenChunksMs"
            id={id("between-chunks-ms")}
            label="Between chunks (ms)"
            description="Empty: no limit of its own."
            inputMode="numeric"
          />
          <TextField name="timeouts.totalMs" id={id("total-ms")} label="Total (ms)" inputMode="numeric" />
        </div>
      </details>
    </>
  );
}
