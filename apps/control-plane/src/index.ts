export { parseEnv } from "./env.ts";
export { startControlPlane } from "./main.ts";
export type { AppRouter } from "./router.ts";
export { createControlPlane } from "./server.ts";
export { demoModel, seedDemoData } from "./services/seed/demo.ts";
