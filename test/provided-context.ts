/** What test/global-setup.ts provides to integration suites through `inject()`. */
export {};

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
    redisPrefix: string;
  }
}
