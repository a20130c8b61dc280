/**
 * Certificates for the loopback HTTPS stand-ins, made with the real `openssl`: one test CA (the
 * blackbox exporter trusts it through its module's `tls_config.ca_file`, in place of the system
 * trust store) and server certificates for a public host name plus 127.0.0.1, valid for a chosen
 * number of days, so a certificate close to expiry is a real one.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface TestCa {
  readonly dir: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** Issues a certificate for `host` (and IP 127.0.0.1) valid for `days` days from now. */
  issue(host: string, days: number): { cert: string; key: string; notAfter: Date };
}

function openssl(openSslPath: string, args: string[], cwd: string): string {
  const r = spawnSync(openSslPath, args, { cwd, encoding: "utf8", timeout: 30_000 });
  if (r.status !== 0) throw new Error(`openssl ${args.join(" ")} exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

/** Creates a CA in `dir` with `openssl`. */
export function createTestCa(openSslPath: string, dir: string): TestCa {
  const certFile = join(dir, "ca.crt");
  const keyFile = join(dir, "ca.key");
  openssl(
    openSslPath,
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "3650", "-subj", "/CN=app-platform e2e test CA"],
    dir,
  );
  let serial = 1;
  return {
    dir,
    certFile,
    keyFile,
    issue(host, days) {
      const base = join(dir, `${host.replace(/[^A-Za-z0-9.-]/g, "_")}-${serial}`);
      const ext = `${base}.ext`;
      writeFileSync(ext, `subjectAltName=DNS:${host},IP:127.0.0.1\nextendedKeyUsage=serverAuth\n`);
      openssl(openSslPath, ["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", `${base}.key`, "-out", `${base}.csr`, "-subj", `/CN=${host}`], dir);
      openssl(
        openSslPath,
        [
          "x509",
          "-req",
          "-in",
          `${base}.csr`,
          "-CA",
          certFile,
          "-CAkey",
          keyFile,
          "-set_serial",
          String(serial++),
          "-days",
          String(days),
          "-extfile",
          ext,
          "-out",
          `${base}.crt`,
        ],
        dir,
      );
      const end = openssl(openSslPath, ["x509", "-in", `${base}.crt`, "-noout", "-enddate"], dir)
        .trim()
        .replace(/^notAfter=/, "");
      return { cert: readFileSync(`${base}.crt`, "utf8"), key: readFileSync(`${base}.key`, "utf8"), notAfter: new Date(end) };
    },
  };
}
