/**
 * The Postgres SQLSTATE behind an error from Prisma's pg driver adapter (raw queries report it as
 * P2010 with the driver's error under `meta.driverAdapterError.cause`), or null when there is none.
 */
export function sqlStateOf(err: unknown): string | null {
  const cause = (err as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } })?.meta
    ?.driverAdapterError?.cause;
  return typeof cause?.originalCode === "string" ? cause.originalCode : null;
}

/** Postgres's own words for the error (e.g. "value \"9999999999\" is out of range for type integer"). */
export function sqlMessageOf(err: unknown): string {
  const cause = (
    err as { meta?: { driverAdapterError?: { cause?: { originalMessage?: unknown; detail?: unknown } } } }
  )?.meta?.driverAdapterError?.cause;
  const message = typeof cause?.originalMessage === "string" ? cause.originalMessage : String(err);
  return typeof cause?.detail === "string" ? `${message} (${cause.detail})` : message;
}
