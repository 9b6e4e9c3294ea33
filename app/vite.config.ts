import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The agent app is served by the Parley server itself (server/http/web-app.ts) from app/dist;
// `npm run dev:app` proxies the API to a Parley started with `npm start`.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: {
      "/api": { target: "http://127.0.0.1:3000", ws: true },
    },
  },
});
