/**
 * The real programs of the end-to-end alerting suite, from Debian's packages: Prometheus,
 * Alertmanager and amtool, the blackbox and postgres exporters. `scripts/test.sh` installs them
 * before the suite runs; when the suite runs alone (`npx vitest run tests/e2e`) and something is
 * missing, this installs it as root (under a lock, never starting Debian's own services) or fails
 * with the exact install command.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** Each program the suite starts, and the Debian package that ships it. */
export const E2E_BINARIES = {
  prometheus: { command: "prometheus", pkg: "prometheus" },
  promtool: { command: "promtool", pkg: "prometheus" },
  alertmanager: { command: "prometheus-alertmanager", pkg: "prometheus-alertmanager" },
  amtool: { command: "amtool", pkg: "prometheus-alertmanager" },
  blackbox: { command: "prometheus-blackbox-exporter", pkg: "prometheus-blackbox-exporter" },
  postgresExporter: { command: "prometheus-postgres-exporter", pkg: "prometheus-postgres-exporter" },
  openssl: { command: "openssl", pkg: "openssl" },
} as const;
export type E2eBinary = keyof typeof E2E_BINARIES;

/** The Debian packages of the suite (PostgreSQL itself comes from tests/drill/postgres.ts). */
export const E2E_PACKAGES = [...new Set(Object.values(E2E_BINARIES).map((b) => b.pkg))];

/** The command that installs everything the suite needs. */
export const E2E_INSTALL_COMMAND = `sudo apt-get update && sudo apt-get install -y --no-install-recommends ${E2E_PACKAGES.join(" ")} postgresql postgresql-client`;

const LOCK_FILE = "/tmp/app-platform-e2e-install.lock";

function onPath(command: string): string | undefined {
  for (const dir of [...(process.env.PATH ?? "").split(delimiter), "/usr/bin", "/usr/sbin"].filter(Boolean)) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

let resolved: Record<E2eBinary, string> | undefined;

/**
 * Paths of every program the suite runs. Installs the missing packages when root (policy-rc.d
 * keeps Debian from starting their services; anything started anyway is stopped), else throws with
 * `E2E_INSTALL_COMMAND`.
 */
export function e2eBinaries(): Record<E2eBinary, string> {
  if (resolved) return resolved;
  const missing = () => (Object.keys(E2E_BINARIES) as E2eBinary[]).filter((b) => !onPath(E2E_BINARIES[b].command));
  let absent = missing();
  if (absent.length > 0 && process.getuid?.() === 0 && onPath("apt-get")) {
    const packages = [...new Set(absent.map((b) => E2E_BINARIES[b].pkg))].join(" ");
    const services = packages.split(" ").filter((p) => p.startsWith("prometheus"));
    const script = [
      "own=; [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; own=1; }",
      `apt-get -o DPkg::Lock::Timeout=600 update -q && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends ${packages}; s=$?`,
      '[ -n "$own" ] && rm -f /usr/sbin/policy-rc.d',
      `for p in ${services.join(" ")}; do if [ -d /run/systemd/system ]; then systemctl disable --now "$p" 2>/dev/null; elif [ -x /etc/init.d/$p ]; then /etc/init.d/$p status >/dev/null 2>&1 && /etc/init.d/$p stop; fi; done`,
      "exit $s",
    ].join("\n");
    const r = spawnSync("flock", [LOCK_FILE, "sh", "-c", script], { encoding: "utf8", timeout: 900_000 });
    if (r.status !== 0) process.stderr.write(`e2e: apt-get install ${packages} failed (exit ${r.status}):\n${r.stderr}\n`);
    absent = missing();
  }
  if (absent.length > 0) {
    throw new Error(
      `The end-to-end alerting suite needs the real programs; missing: ${absent.map((b) => E2E_BINARIES[b].command).join(", ")}. ` +
        `Install them with \`${E2E_INSTALL_COMMAND}\` (Debian/Ubuntu), or run the tests as root so they install themselves.`,
    );
  }
  resolved = Object.fromEntries((Object.keys(E2E_BINARIES) as E2eBinary[]).map((b) => [b, onPath(E2E_BINARIES[b].command)!])) as Record<E2eBinary, string>;
  return resolved;
}
