/**
 * The series sources a product's alerts may read, handed to the product's alert definitions by
 * `ApplicationStack` after it has created them. Each selector comes from the component that owns
 * the object producing the series (the workload's ServiceMonitor, the postgres_exporter, a
 * blackbox Probe), so no job name is ever typed twice (STYLE.md 16).
 */
import type { AlertGroup, SeriesSelector } from "./alerts";

/** What `ProductSpec.alerts` receives. Every method throws, naming what exists, when asked for a source the product does not define. */
export interface AlertSources {
  /** The series of a workload's ServiceMonitor: `{ namespace, job }`, job = its Service's name. @example sources.workload("api") */
  workload(name: string): SeriesSelector;
  /** The series of the product database's postgres_exporter. */
  database(): SeriesSelector;
  /** The blackbox health probe of a workload's or web app's public host(s). */
  health(owner: string): SeriesSelector;
  /** The blackbox security-headers probe of a web app. */
  securityHeaders(app: string): SeriesSelector;
  /** The blackbox status probe of an external dependency, by its display name. @example sources.dependency("Supabase") */
  dependency(name: string): SeriesSelector;
}

/** A product's alert definitions, built from its sources. */
export type AlertDefinitions = (sources: AlertSources) => readonly AlertGroup[];

/** A scrape job the stack defines, for the meta-alerts (`up == 0`, `absent(up)`). */
export interface ScrapeJob {
  /** What creates the target. */
  readonly kind: "service-monitor" | "probe" | "exporter";
  /** The `{ namespace, job }` of its series. */
  readonly selector: SeriesSelector;
}

/** Builds an `AlertSources` over plain maps; unknown names throw with the known ones listed. */
export function alertSources(
  product: string,
  maps: {
    readonly workloads: Readonly<Record<string, SeriesSelector>>;
    readonly database?: SeriesSelector;
    readonly health: Readonly<Record<string, SeriesSelector>>;
    readonly securityHeaders: Readonly<Record<string, SeriesSelector>>;
    readonly dependencies: Readonly<Record<string, SeriesSelector>>;
  },
): AlertSources {
  const pick = (what: string, map: Readonly<Record<string, SeriesSelector>>, key: string): SeriesSelector => {
    const s = map[key];
    if (s === undefined) {
      const known = Object.keys(map);
      throw new Error(
        `product "${product}": alerts ask for the ${what} "${key}", which the product does not define (it has ${known.length ? known.map((k) => `"${k}"`).join(", ") : "none"}); an alert on it could never fire`,
      );
    }
    return s;
  };
  return {
    workload: (name) => pick("scraped workload (a workload with `metricsPath`)", maps.workloads, name),
    database: () => {
      if (!maps.database) throw new Error(`product "${product}": alerts ask for the database exporter, but the product declares no \`database\``);
      return maps.database;
    },
    health: (owner) => pick("health probe (a workload with `publicHost` or a web app)", maps.health, owner),
    securityHeaders: (app) => pick("security-headers probe (a web app)", maps.securityHeaders, app),
    dependency: (name) => pick("dependency probe", maps.dependencies, name),
  };
}
