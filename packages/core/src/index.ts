export * from "./audit/audit.ts";
export * from "./auth/password-policy.ts";
export * from "./auth/roles.ts";
export * from "./config/snapshot.ts";
export * from "./errors/app-error.ts";
export * from "./usage/event.ts";
