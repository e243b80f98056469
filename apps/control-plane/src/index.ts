export { startControlPlane } from "./main.ts";
export { createControlPlane } from "./server.ts";
export { parseEnv } from "./env.ts";
export { seedDemoData, demoModel } from "./services/seed/demo.ts";
export type { AppRouter } from "./router.ts";
