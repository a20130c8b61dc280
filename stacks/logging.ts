/**
 * Log level of every workload that logs. seed 001 §2.1 "Log Levels": "Production: INFO and
 * above; Development: DEBUG and above" — the platform applies it to all products' workloads
 * (`LOG_LEVEL`), prod → INFO, every other environment → DEBUG.
 */
import type { Environment } from "../components/context";

export type LogLevel = "INFO" | "DEBUG";

/** `LOG_LEVEL` for a workload in `environment` (seed 001 §2.1). */
export function logLevelFor(environment: Environment): LogLevel {
  return environment === "prod" ? "INFO" : "DEBUG";
}
