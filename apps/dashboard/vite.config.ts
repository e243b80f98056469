/**
 * Vite config for the dashboard SPA. In development the Vite server proxies `/trpc` and `/api` to the
 * control plane so that the session cookie stays same-origin, as it is behind `server.ts` in production.
 */
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Only the dev server reads this; the production server (server.ts) validates its own environment.
const controlPlaneUrl = process.env.CONTROL_PLANE_URL ?? "http://127.0.0.1:4000";

export default defineConfig({
  plugins: [react(), tailwindcss()],
  server: {
    proxy: {
      "/trpc": { target: controlPlaneUrl, xfwd: true },
      "/api": { target: controlPlaneUrl, xfwd: true },
    },
  },
  preview: {
    proxy: {
      "/trpc": { target: controlPlaneUrl, xfwd: true },
      "/api": { target: controlPlaneUrl, xfwd: true },
    },
  },
  build: {
    sourcemap: true,
    rollupOptions: {
      output: {
        // Libraries change less often than the app: separate chunks stay cached across deploys.
        manualChunks(id) {
          if (!id.includes("/node_modules/")) return undefined;
          if (/\/node_modules\/(react|react-dom|react-router|scheduler)\//.test(id)) return "react";
          if (id.includes("/node_modules/@radix-ui/") || id.includes("/node_modules/radix-ui/"))
            return "radix";
          if (id.includes("/node_modules/@tanstack/") || id.includes("/node_modules/@trpc/")) return "data";
          if (id.includes("/node_modules/zod/")) return "zod";
          return "vendor";
        },
      },
      onwarn(warning, warn) {
        // zod ships comments Rollup cannot place; harmless, and not ours to fix.
        if (warning.code === "INVALID_ANNOTATION" && warning.id?.includes("/node_modules/")) return;
        warn(warning);
      },
    },
  },
});
