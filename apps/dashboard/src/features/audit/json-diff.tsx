/**
 * Before/after of one audit entry, field by field: nested objects are flattened to dotted paths, so a
 * change deep inside a config shows as one line.
 */
import { cn } from "../../lib/utils.ts";
import { diffValues, missing } from "./diff.ts";

function show(value: unknown): string {
  if (value === missing) return "";
  if (value === undefined) return "undefined";
  return JSON.stringify(value);
}

export function JsonDiff({ before, after }: { before: unknown; after: unknown }) {
  const changes = diffValues(before, after);
  if (changes.length === 0) {
    return <p className="text-sm text-muted-foreground">This entry records no data before or after.</p>;
  }
  return (
    <div className="grid gap-3">
      <table className="w-full table-fixed border-collapse font-mono text-xs" aria-label="Changes">
        <thead>
          <tr className="text-left text-muted-foreground">
            <th scope="col" className="w-1/4 py-1 pr-2 font-medium">
              Field
            </th>
            <th scope="col" className="py-1 pr-2 font-medium">
              Before
            </th>
            <th scope="col" className="py-1 font-medium">
              After
            </th>
          </tr>
        </thead>
        <tbody>
          {changes.map((change) => (
            <tr key={change.path} data-kind={change.kind} className="align-top">
              <td className="py-0.5 pr-2 break-all">{change.path}</td>
              <td
                className={cn(
                  "rounded-sm px-1.5 py-0.5 break-all whitespace-pre-wrap",
                  (change.kind === "removed" || change.kind === "changed") &&
                    "bg-diff-removed text-diff-removed-foreground",
                  change.kind === "same" && "text-muted-foreground",
                )}
              >
                {change.kind === "removed" || change.kind === "changed" ? "− " : ""}
                {show(change.before)}
              </td>
              <td
                className={cn(
                  "rounded-sm px-1.5 py-0.5 break-all whitespace-pre-wrap",
                  (change.kind === "added" || change.kind === "changed") &&
                    "bg-diff-added text-diff-added-foreground",
                  change.kind === "same" && "text-muted-foreground",
                )}
              >
                {change.kind === "added" || change.kind === "changed" ? "+ " : ""}
                {show(change.after)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <details className="text-xs">
        <summary className="cursor-pointer text-muted-foreground select-none">Raw JSON</summary>
        <div className="mt-2 grid gap-2 md:grid-cols-2">
          <pre className="overflow-x-auto rounded-md bg-muted p-3">
            {JSON.stringify(before ?? null, null, 2)}
          </pre>
          <pre className="overflow-x-auto rounded-md bg-muted p-3">
            {JSON.stringify(after ?? null, null, 2)}
          </pre>
        </div>
      </details>
    </div>
  );
}
