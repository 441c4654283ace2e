import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const backend = process.env.CHARLA_BACKEND_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
    base: '/dashboard/',
    plugins: [react()],
    build: {
        outDir: 'dist',
        emptyOutDir: true,
        sourcemap: false,
        chunkSizeWarningLimit: 2000,
    },
    server: {
        host: '127.0.0.1',
        port: 5173,
        proxy: {
            '/api': { target: backend, changeOrigin: true },
            '/socket.io': { target: backend, changeOrigin: true, ws: true },
        },
    },
    test: {
        environment: 'jsdom',
        include: ['src/**/*.test.{ts,tsx}'],
        setupFiles: ['src/test/setup.ts'],
        testTimeout: 20000,
        pool: 'threads',
    },
});
