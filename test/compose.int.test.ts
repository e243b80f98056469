/**
 * The Docker Compose stack, checked without a Docker engine: `docker-compose config` must accept
 * docker-compose.yml, every service must be there with its port (the control plane with none: the
 * dashboard server is the way in, and the only proxy whose X-Forwarded-For it believes), the proxy
 * must keep its snapshot on a volume, every build target must exist in docker/Dockerfile, and every Grafana dashboard
 * must parse and read from the provisioned Prometheus datasource (uid `prometheus`).
 *
 * Needs the `docker-compose` CLI (Debian: `apt-get install -y docker-compose`, v1, Python) or a
 * Compose v2 standalone binary named `docker-compose`. A missing binary fails the suite.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, realpathSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../", import.meta.url));
const composeFile = path.join(repoRoot, "docker-compose.yml");
const dockerfile = path.join(repoRoot, "docker", "Dockerfile");
const dashboardsDir = path.join(repoRoot, "grafana", "dashboards");

const installHint =
  "the `docker-compose` CLI is not installed: install the Debian docker-compose package " +
  "(`apt-get update && apt-get install -y docker-compose`) to run this test";

type Port = { published?: string | number; target?: string | number } | string | number;
type Volume = { type?: string; source?: string; target?: string } | string;
type Service = {
  image?: string;
  build?: { context?: string; dockerfile?: string; target?: string };
  ports?: Port[];
  volumes?: Volume[];
  environment?: Record<string, string | null>;
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  networks?: Record<string, { ipv4_address?: string } | null> | string[];
};
type Network = { ipam?: { config?: Array<{ subnet?: string; ip_range?: string }> } };
type ComposeConfig = {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, Network | null>;
};

function run(cmd: string, args: string[], input?: string) {
  const result = spawnSync(cmd, args, { cwd: repoRoot, input, encoding: "utf8", timeout: 60_000 });
  if (result.error && (result.error as NodeJS.ErrnoException).code === "ENOENT") {
    throw new Error(cmd === "docker-compose" ? installHint : `${cmd} is not installed`);
  }
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function compose(...args: string[]) {
  return run("docker-compose", ["-f", composeFile, "--project-directory", repoRoot, ...args]);
}

/** Where `docker-compose` lives on PATH, or a failure with the install hint. */
function composeBinary(): string {
  const found = run("sh", ["-c", "command -v docker-compose"]);
  if (found.status !== 0 || !found.stdout.trim()) throw new Error(installHint);
  return realpathSync(found.stdout.trim());
}

/**
 * The resolved config as an object. Compose v2 prints JSON itself; v1 (the Debian package) only
 * prints YAML, so it is converted with the PyYAML that v1 itself runs on (its script's interpreter).
 */
function loadConfig(): ComposeConfig {
  const binary = composeBinary();
  const version = run("docker-compose", ["version", "--short"]).stdout.trim().replace(/^v/, "");
  if (Number.parseInt(version, 10) >= 2) {
    const out = compose("config", "--format", "json");
    if (out.status !== 0) throw new Error(`docker-compose config failed:\n${out.stderr}`);
    return JSON.parse(out.stdout) as ComposeConfig;
  }
  const out = compose("config");
  if (out.status !== 0) throw new Error(`docker-compose config failed:\n${out.stderr}`);
  const shebang = readFileSync(binary, "utf8").split("\n", 1)[0] ?? "";
  const python = shebang.startsWith("#!") ? shebang.slice(2).trim().split(/\s+/)[0]! : "python3";
  const converted = run(
    python,
    ["-c", "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"],
    out.stdout,
  );
  if (converted.status !== 0) throw new Error(`could not convert the compose YAML:\n${converted.stderr}`);
  return JSON.parse(converted.stdout) as ComposeConfig;
}

function publishedPorts(service: Service): Array<{ published: number; target: number }> {
  return (service.ports ?? []).map((p) => {
    if (typeof p === "object") return { published: Number(p.published), target: Number(p.target) };
    const parts = String(p).split(":");
    return { published: Number(parts.at(-2) ?? parts.at(-1)), target: Number(parts.at(-1)) };
  });
}

function mounts(service: Service): Array<{ type: string; source: string; target: string }> {
  return (service.volumes ?? []).map((v) => {
    if (typeof v === "object") return { type: v.type ?? "", source: v.source ?? "", target: v.target ?? "" };
    const [source = "", target = ""] = v.split(":");
    const type = source.startsWith("/") || source.startsWith(".") ? "bind" : "volume";
    return { type, source, target };
  });
}

function dependsOn(service: Service): Record<string, string> {
  const deps = service.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, "service_started"]));
  return Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, v.condition ?? "service_started"]));
}

/** Stage name -> its lines, for every `FROM … AS name` in the Dockerfile. */
function dockerStages(): Map<string, string[]> {
  const stages = new Map<string, string[]>();
  let current: string[] | null = null;
  // One instruction per entry: continuation lines (ending in a backslash) are joined.
  const instructions = readFileSync(dockerfile, "utf8").replace(/\\\r?\n/g, " ");
  for (const line of instructions.split("\n")) {
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?\s*$/i.exec(line.trim());
    if (from) {
      current = [];
      if (from[1]) stages.set(from[1], current);
    } else if (current && line.trim() && !line.trim().startsWith("#")) {
      current.push(line.trim());
    }
  }
  return stages;
}

const expectedServices: Record<
  string,
  {
    port?: number;
    hostPort?: number;
    target?: string;
    cmd?: string;
    nodeFlags?: string[];
    /** Variables the image's stage sets with ENV. */
    imageEnv?: Record<string, string>;
  }
> = {
  postgres: {},
  redis: {},
  prometheus: { port: 9090 },
  grafana: { port: 3000, hostPort: 3001 },
  // No port: reached through the dashboard server, and by the proxy and Prometheus over the network.
  "control-plane": { target: "control-plane", cmd: "apps/control-plane/src/main.ts" },
  // The proxy runs from its bundle with a small young generation and a tighter malloc (ADR 0007),
  // as bench/proxy.ts measures it (`proxyNodeFlags`, `proxyProcessEnv`).
  proxy: {
    port: 8080,
    target: "proxy",
    cmd: "packages/proxy/dist/proxy.mjs",
    nodeFlags: ["--max-semi-space-size=4", "--heap-growing-percent=15"],
    imageEnv: {
      MALLOC_ARENA_MAX: "2",
      MALLOC_MMAP_THRESHOLD_: "131072",
      MALLOC_TRIM_THRESHOLD_: "131072",
    },
  },
  dashboard: { port: 3000, target: "dashboard", cmd: "apps/dashboard/server.ts" },
  "mock-provider": { port: 8090, target: "mock-provider", cmd: "packages/mock-provider/src/main.ts" },
};

describe("docker-compose.yml", () => {
  let config: ComposeConfig;
  beforeAll(() => {
    config = loadConfig();
  });

  it("is accepted by `docker-compose config -q`", () => {
    composeBinary();
    const out = compose("config", "-q");
    expect(out.status, out.stderr).toBe(0);
  });

  it("has every service, each published on its port", () => {
    for (const [name, want] of Object.entries(expectedServices)) {
      const service = config.services[name];
      expect(service, `service ${name}`).toBeDefined();
      if (want.port === undefined) continue;
      expect(publishedPorts(service!), `ports of ${name}`).toContainEqual({
        published: want.hostPort ?? want.port,
        target: want.port,
      });
    }
  });

  it("publishes no control-plane port, and trusts X-Forwarded-For from the dashboard's fixed address alone", () => {
    const cp = config.services["control-plane"]!;
    expect(cp.ports ?? []).toEqual([]);
    const env = cp.environment ?? {};
    expect(env.TRUST_PROXY).toBeUndefined();
    const dashboardNetworks = config.services.dashboard!.networks;
    const address =
      dashboardNetworks && !Array.isArray(dashboardNetworks)
        ? dashboardNetworks.default?.ipv4_address
        : undefined;
    expect(address, "the dashboard's fixed ipv4_address").toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(env.TRUSTED_PROXIES).toBe(address);
    // Addresses handed out to the other containers come from a range that leaves the dashboard's free.
    const [pool] = config.networks?.default?.ipam?.config ?? [];
    expect(pool?.subnet).toBe("172.28.0.0/24");
    expect(pool?.ip_range).toBe("172.28.0.128/25");
    expect(Number(address!.split(".")[3])).toBeLessThan(128);
  });

  it("defaults COOKIE_SECURE to false for plain http://localhost, overridable for HTTPS", () => {
    expect(config.services["control-plane"]!.environment?.COOKIE_SECURE).toBe("false");
    const text = readFileSync(composeFile, "utf8");
    expect(text).toMatch(/COOKIE_SECURE: \$\{COOKIE_SECURE:-false\}/);
    expect(text).toMatch(/COOKIE_SECURE=true .*HTTPS/);
  });

  it("pins postgres 17 and redis 7, both with healthchecks", () => {
    expect(config.services.postgres!.image).toBe("postgres:17");
    expect(String(config.services.postgres!.healthcheck?.test)).toContain("pg_isready");
    expect(config.services.redis!.image).toMatch(/^redis:7/);
    expect(String(config.services.redis!.healthcheck?.test)).toContain("ping");
  });

  it("starts the control plane after healthy postgres and redis, with its environment", () => {
    const cp = config.services["control-plane"]!;
    expect(dependsOn(cp)).toMatchObject({ postgres: "service_healthy", redis: "service_healthy" });
    expect(String(cp.healthcheck?.test)).toContain("/healthz");
    const env = cp.environment ?? {};
    expect(env.DATABASE_URL).toMatch(/^postgresql:\/\/postgres:[^@]+@postgres:5432\/switchyard$/);
    expect(env.REDIS_URL).toBe("redis://redis:6379");
    expect(env.CONTROL_PLANE_HOST).toBe("0.0.0.0");
    expect(env.SEED_DEMO_DATA).toBe("true");
    expect(env.DATA_PLANE_TOKEN?.length).toBeGreaterThanOrEqual(16);
    expect(env.MASTER_KEYS).toMatch(/^\d+:[0-9a-f]{64}(,\d+:[0-9a-f]{64})*$/i);
  });

  it("keeps the proxy's config snapshot and usage spool on a named volume", () => {
    const proxy = config.services.proxy!;
    const env = proxy.environment ?? {};
    expect(env.CONTROL_PLANE_URL).toBe("http://control-plane:4000");
    expect(env.PROXY_HOST).toBe("0.0.0.0");
    expect(env.DATA_PLANE_TOKEN).toBe(config.services["control-plane"]!.environment?.DATA_PLANE_TOKEN);
    const snapshotPath = env.PROXY_SNAPSHOT_PATH ?? "";
    expect(snapshotPath).toBe("/var/lib/switchyard/snapshot.json");
    const volume = mounts(proxy).find((m) => snapshotPath.startsWith(`${m.target}/`));
    expect(volume, `a volume holding ${snapshotPath}`).toBeDefined();
    expect(volume!.type).toBe("volume");
    expect(Object.keys(config.volumes ?? {})).toContain(volume!.source);
    // Rate limits shared through Redis, and undelivered usage spooled on the same volume.
    expect(env.REDIS_URL).toBe("redis://redis:6379");
    expect(env.PROXY_USAGE_SPOOL_DIR).toBe("/var/lib/switchyard/usage-spool");
    expect(env.PROXY_USAGE_SPOOL_DIR!.startsWith(`${volume!.target}/`)).toBe(true);
  });

  it("points the dashboard and mock provider at the right hosts", () => {
    expect(config.services.dashboard!.environment).toMatchObject({
      CONTROL_PLANE_URL: "http://control-plane:4000",
      DASHBOARD_HOST: "0.0.0.0",
    });
    expect(config.services["mock-provider"]!.environment).toMatchObject({ MOCK_PROVIDER_HOST: "0.0.0.0" });
  });

  it("builds each app service from a target that exists in docker/Dockerfile, run as non-root", () => {
    const stages = dockerStages();
    const built = Object.entries(config.services).filter(([, s]) => s.build);
    expect(built.map(([name]) => name).sort()).toEqual(
      Object.keys(expectedServices)
        .filter((n) => expectedServices[n]!.target)
        .sort(),
    );
    for (const [name, service] of built) {
      const target = service.build!.target ?? "";
      expect(service.build!.dockerfile, `dockerfile of ${name}`).toBe("docker/Dockerfile");
      expect(target, `build target of ${name}`).toBe(expectedServices[name]!.target);
      const stage = stages.get(target);
      expect(stage, `stage ${target} in docker/Dockerfile`).toBeDefined();
      const cmd = stage!.find((l) => l.startsWith("CMD "));
      const { cmd: entry, nodeFlags = [], imageEnv = {} } = expectedServices[name]!;
      expect(cmd, `CMD of ${target}`).toBe(`CMD ["${["node", ...nodeFlags, entry].join('", "')}"]`);
      const env = stage!
        .filter((l) => l.startsWith("ENV "))
        .flatMap((l) => l.slice(4).trim().split(/\s+/))
        .map((pair) => pair.split("="));
      const set = Object.fromEntries(env.filter(([key]) => key! in imageEnv));
      expect(set, `ENV of ${target}`).toEqual(imageEnv);
    }
    expect(stages.get("runtime")).toContain("USER node");
  });

  it("mounts the Prometheus config and Grafana provisioning from the repo", () => {
    const prometheus = mounts(config.services.prometheus!);
    expect(prometheus.map((m) => path.relative(repoRoot, m.source))).toContain(
      path.join("prometheus", "prometheus.yml"),
    );
    const grafana = mounts(config.services.grafana!).map((m) => [
      path.relative(repoRoot, m.source),
      m.target,
    ]);
    expect(grafana).toContainEqual([path.join("grafana", "provisioning"), "/etc/grafana/provisioning"]);
    expect(grafana).toContainEqual([path.join("grafana", "dashboards"), "/var/lib/grafana/dashboards"]);
    expect(config.services.grafana!.environment?.GF_AUTH_ANONYMOUS_ENABLED).toBe("false");
    expect(config.services.grafana!.environment?.GF_SECURITY_ADMIN_PASSWORD).toBeTruthy();

    const scrape = readFileSync(path.join(repoRoot, "prometheus", "prometheus.yml"), "utf8");
    expect(scrape).toContain("control-plane:4000");
    expect(scrape).toContain("proxy:8080");
    expect(scrape).toMatch(/scrape_interval:\s*5s/);
  });
});

type Panel = {
  title?: string;
  type?: string;
  datasource?: { uid?: string } | string | null;
  targets?: Array<{ datasource?: { uid?: string } | string | null }>;
  panels?: Panel[];
};

describe("Grafana", () => {
  it("provisions the Prometheus datasource with uid `prometheus`", () => {
    const text = readFileSync(path.join(repoRoot, "grafana/provisioning/datasources/prometheus.yml"), "utf8");
    expect(text).toMatch(/^\s*uid:\s*prometheus\s*$/m);
    expect(text).toMatch(/^\s*url:\s*http:\/\/prometheus:9090\s*$/m);
    expect(text).toMatch(/^\s*isDefault:\s*true\s*$/m);
  });

  const files = readdirSync(dashboardsDir).filter((f) => f.endsWith(".json"));

  it("has at least one dashboard", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)("%s parses and every panel reads from the `prometheus` datasource", (file) => {
    const dashboard = JSON.parse(readFileSync(path.join(dashboardsDir, file), "utf8")) as {
      schemaVersion?: number;
      panels?: Panel[];
    };
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
    const panels: Panel[] = [];
    const collect = (list: Panel[] = []) => {
      for (const p of list) {
        panels.push(p);
        collect(p.panels);
      }
    };
    collect(dashboard.panels);
    expect(panels.length).toBeGreaterThan(0);
    for (const panel of panels) {
      if (panel.type === "row" && !panel.targets?.length) continue;
      const where = `panel "${panel.title}"`;
      expect(typeof panel.datasource === "object" && panel.datasource?.uid, where).toBe("prometheus");
      for (const target of panel.targets ?? []) {
        if (target.datasource === undefined) continue;
        expect(typeof target.datasource === "object" && target.datasource?.uid, `${where} target`).toBe(
          "prometheus",
        );
      }
    }
  });
});
