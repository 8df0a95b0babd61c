// The console is built into dist/, which `cfr serve` serves at "/". During development
// (`npm run dev`) API calls go to a running `cfr serve` on 127.0.0.1:8080.
import { defineConfig } from "vite";

export default defineConfig({
  esbuild: { jsx: "automatic" },
  build: {
    outDir: "dist",
    assetsDir: "assets",
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        // The graph and chart libraries are large and change rarely: their own cached files.
        manualChunks: { echarts: ["echarts"], cytoscape: ["cytoscape"] },
      },
    },
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:8080", "/healthz": "http://127.0.0.1:8080" },
  },
});
