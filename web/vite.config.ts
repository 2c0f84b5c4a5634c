import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

const root = fileURLToPath(new URL('.', import.meta.url))
// The dev server and `vite preview` forward the API to a running OneGrid; ONEGRID_API points
// elsewhere when 8080 is taken (several engineers share one machine).
const api = process.env.ONEGRID_API ?? 'http://localhost:8080'
const proxy = { '/api': { target: api, changeOrigin: true } }

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 900,
    rolldownOptions: {
      output: {
        // ECharts is most of the weight and changes least: its own long-cached chunk.
        codeSplitting: { groups: [{ name: 'echarts', test: /node_modules[\\/](echarts|zrender)/ }] },
      },
    },
  },
  server: { proxy },
  preview: { proxy },
})
