/** The SSE event filter: whole, well-formed events only, however the upstream's bytes are cut. */
import { describe, expect, it } from "vitest";
import { SseEventFilter } from "./sse.ts";

const role = 'data: {"choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]}\n\n';
const token = 'data: {"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\n';
const finish = 'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n';
const done = "data: [DONE]\n\n";

function run(filter: SseEventFilter, parts: string[]): string {
  return parts.map((part) => filter.push(Buffer.from(part)).toString("utf8")).join("");
}

describe("SseEventFilter", () => {
  it("relays whole events only, however the bytes are split", () => {
    const stream = role + token + finish + done;
    for (const size of [1, 3, 7, 50, stream.length]) {
      const filter = new SseEventFilter();
      const parts: string[] = [];
      for (let i = 0; i < stream.length; i += size) parts.push(stream.slice(i, i + size));
      let out = "";
      for (const part of parts) {
        const chunk = filter.push(Buffer.from(part)).toString("utf8");
        // Never half an event.
        if (chunk !== "") expect(chunk.endsWith("\n\n")).toBe(true);
        out += chunk;
      }
      expect(out).toBe(stream);
      expect(filter.sawDone).toBe(true);
      expect(filter.sawFinish).toBe(true);
    }
  });

  it("drops malformed events and non-object payloads, and counts them", () => {
    const filter = new SseEventFilter();
    const out = run(filter, [role, "data: {not json\n\n", token, "data: 42\n\n", 'data: ["x"]\n\n', done]);
    expect(out).toBe(role + token + done);
    expect(filter.dropped).toBe(3);
    expect(filter.sawFinish).toBe(false);
  });

  it("accepts CRLF line endings, comments and multi-line data", () => {
    const filter = new SseEventFilter();
    const crlf = 'data: {"choices":[]}\r\n\r\n';
    const comment = ": keep-alive\n\n";
    const multi = 'data: {"choices":\ndata: []}\n\n';
    expect(run(filter, [crlf, comment, multi])).toBe(crlf + comment + multi);
    expect(filter.dropped).toBe(0);
  });

  it("keeps a last event that came without its blank line, and drops a torn one", () => {
    const whole = new SseEventFilter();
    run(whole, [role, finish.slice(0, -2)]);
    expect(whole.end().toString("utf8")).toBe(finish);
    expect(whole.sawFinish).toBe(true);

    const torn = new SseEventFilter();
    run(torn, [role, token.slice(0, 20)]);
    expect(torn.end().length).toBe(0);
    expect(torn.dropped).toBe(1);
    expect(new SseEventFilter().end().length).toBe(0);
  });
});
