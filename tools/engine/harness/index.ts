/**
 * Offline runner harness: run a Pulumi program through Pulumi's own Node.js runner against a
 * recording engine, as `pulumi preview` would, and read back what it registered.
 */
export * from "./monitor";
export * from "./project";
export * from "./properties";
export * from "./run-program";
