export { parseEnv } from "./env.ts";
export { startControlPlane } from "./main.ts";
export type { AppRouter } from "./router.ts";
export { createControlPlane } from "./server.ts";
export { createCredentialVault } from "./services/providers/vault.ts";
export { demoModel, seedDemoData } from "./services/seed/demo.ts";
