/**
 * Two test projects: `unit` (pure, fast, beside the code as *.test.ts) and `int`
 * (*.int.test.ts, against the real Postgres and Redis; each run gets its own database).
 */
import { defineConfig } from "vitest/config";

const exclude = ["**/node_modules/**", "**/dist/**", "e2e/**", "bench/**"];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["**/*.test.ts", "**/*.test.tsx"],
          exclude: [...exclude, "**/*.int.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "int",
          include: ["**/*.int.test.ts"],
          exclude,
          environment: "node",
          globalSetup: ["./test/global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // Integration suites share one database per run; files run one at a time on 2 cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
