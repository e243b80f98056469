import { describe, expect, it } from "vitest";
import { formatDuration, formatInterval, type JobRow, jobStatus } from "./job-status.ts";

const job: JobRow = {
  name: "key-rotation",
  description: "",
  intervalSeconds: 60,
  enabled: true,
  lastStartedAt: null,
  lastFinishedAt: null,
  lastOutcome: null,
  lastError: null,
  lastDurationMs: null,
  lastSuccessAt: null,
  consecutiveFailures: 0,
  nextRunAt: null,
  running: false,
};

describe("jobStatus", () => {
  it("reads off, running, failing, ok and not run yet", () => {
    expect(jobStatus({ ...job, enabled: false, lastOutcome: "failure" }).label).toBe("Off");
    expect(jobStatus({ ...job, running: true, lastOutcome: "failure" }).label).toBe("Running");
    expect(jobStatus({ ...job, lastOutcome: "failure", consecutiveFailures: 1 })).toEqual({
      label: "Failed",
      tone: "failing",
    });
    expect(jobStatus({ ...job, lastOutcome: "failure", consecutiveFailures: 3 }).label).toBe(
      "Failing (3 in a row)",
    );
    expect(jobStatus({ ...job, lastOutcome: "success" }).tone).toBe("ok");
    expect(jobStatus(job).label).toBe("Not run yet");
  });
});

describe("formatting", () => {
  it("writes intervals and durations in the largest plain unit", () => {
    expect([0, 15, 60, 600, 3600].map(formatInterval)).toEqual([
      "off",
      "every 15 s",
      "every 60 s",
      "every 10 min",
      "every 1 h",
    ]);
    expect([null, 42, 3400, 125_000].map(formatDuration)).toEqual(["—", "42 ms", "3.4 s", "2 min 5 s"]);
  });
});
