/**
 * OpenAI-shaped SSE from an upstream, cut into whole events before they are relayed: an event
 * reaches the client only once it is complete and well formed (its `data:` is `[DONE]` or a JSON
 * object), so a malformed event from the upstream is dropped rather than relayed (the official SDKs
 * throw on one), and the client is always between two events when the proxy ends the stream with
 * an error event of its own.
 */

const lf = 0x0a;
const cr = 0x0d;

export class SseEventFilter {
  /** Whether a `data: [DONE]` event went through. */
  sawDone = false;
  /** Whether a chunk with a finish reason went through (the answer is complete). */
  sawFinish = false;
  /** Malformed events dropped. */
  dropped = 0;
  /** The bytes of an event not yet complete. */
  private pending: Buffer | null = null;

  /** The whole, well-formed events `chunk` completes, as the bytes to relay (empty when none). */
  push(chunk: Buffer): Buffer {
    const bytes = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = null;
    const kept: Buffer[] = [];
    let start = 0;
    let from = 0;
    for (;;) {
      const end = eventEnd(bytes, from);
      if (end === -1) break;
      const event = bytes.subarray(start, end);
      if (this.accept(event)) kept.push(event);
      start = end;
      from = end;
    }
    if (start < bytes.length) this.pending = Buffer.from(bytes.subarray(start));
    if (kept.length === 0) return Buffer.alloc(0);
    return kept.length === 1 ? kept[0]! : Buffer.concat(kept);
  }

  /**
   * What is left once the upstream stream has ended: its last event when it came without the
   * blank line that ends it but is otherwise whole and well formed (with that blank line added).
   */
  end(): Buffer {
    const rest = this.pending;
    this.pending = null;
    if (rest === null || rest.toString("utf8").trim() === "") return Buffer.alloc(0);
    const event = Buffer.concat([rest, Buffer.from(rest[rest.length - 1] === lf ? "\n" : "\n\n")]);
    return this.accept(event) ? event : Buffer.alloc(0);
  }

  /** Whether an event may be relayed; notes `[DONE]` and finish reasons. */
  private accept(event: Buffer): boolean {
    const data = eventData(event.toString("utf8"));
    // A comment (keep-alive) or an event without data: harmless, relayed as sent.
    if (data === null) return true;
    if (data === "[DONE]") {
      this.sawDone = true;
      return true;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch {
      this.dropped++;
      return false;
    }
    if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
      this.dropped++;
      return false;
    }
    const choices = (payload as { choices?: unknown }).choices;
    if (Array.isArray(choices)) {
      for (const choice of choices) {
        const reason = (choice as { finish_reason?: unknown } | null)?.finish_reason;
        if (typeof reason === "string" && reason !== "") this.sawFinish = true;
      }
    }
    return true;
  }
}

/** The index just past the blank line that ends the first event at or after `from`, or -1. */
function eventEnd(bytes: Buffer, from: number): number {
  let i = bytes.indexOf(lf, from);
  while (i !== -1) {
    // A line feed followed by an empty line ("\n\n" or "\n\r\n") ends the event.
    const next = bytes[i + 1];
    if (next === lf) return i + 2;
    if (next === cr && bytes[i + 2] === lf) return i + 3;
    i = bytes.indexOf(lf, i + 1);
  }
  return -1;
}

/** The `data` of one SSE event (its `data:` lines joined by "\n"), or null when it has none. */
function eventData(event: string): string | null {
  let data: string | null = null;
  for (const raw of event.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (!line.startsWith("data:")) continue;
    const value = line.charCodeAt(5) === 0x20 ? line.slice(6) : line.slice(5);
    data = data === null ? value : `${data}\n${value}`;
  }
  return data;
}
