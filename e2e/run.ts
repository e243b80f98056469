/**
 * `pnpm test:e2e`: runs the Playwright suite of this package with Debian's Chromium (never a
 * downloaded browser). Extra arguments go to `playwright test` (a file, `--grep`...).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const chromium = "/usr/bin/chromium";
if (!existsSync(chromium)) {
  console.error(`e2e: ${chromium} is missing; install it with \`apt-get install -y chromium\`.`);
  process.exit(1);
}

const result = spawnSync(
  "pnpm",
  ["exec", "playwright", "test", "-c", "playwright.config.ts", ...process.argv.slice(2)],
  {
    cwd: fileURLToPath(new URL(".", import.meta.url)),
    stdio: "inherit",
    env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" },
  },
);
process.exit(result.status ?? 1);
