/**
 * A product's web surface: its Vercel apps (projects, variables, domains, redeploys) and its DNS
 * records (API hosts → the ingress, Vercel hosts → Vercel's own answer for the project).
 */
import * as pulumi from "@pulumi/pulumi";
import * as vercel from "@pulumiverse/vercel";
import type { ProductSpec, WebAppSpec } from "../product-spec";
import { type PlatformSettings, type ProductScope, secretValues } from "../product-scope";
import type { KubernetesService } from "../workloads/kubernetes-service";
import { DnsRecords, type DnsRecordSpec } from "./dns-records";
import { VercelApp } from "./vercel-app";

/**
 * Where a Vercel host's DNS record points: the zone apex gets one A record per address of `ipv4s`,
 * every other host a CNAME to `cname`. Seed 004 writes `@ → 76.76.19.61` and
 * `www → …cdn.vercel-dns.com`, seed 003 `cname.vercel-dns.com`, Vercel's docs `76.76.21.21` and
 * `cname.vercel-dns-0.com`, and today's answer is per project (`216.198.79.1` and `64.29.17.1`,
 * `<16 hex>.vercel-dns-017.com.`), so the program asks Vercel (`vercelDnsTarget`), never a literal.
 */
export interface VercelDnsTarget {
  /** Every address of Vercel's first-ranked IPv4 recommendation (one A record each). */
  readonly ipv4s: pulumi.Input<readonly string[]>;
  readonly cname: pulumi.Input<string>;
  /**
   * Where the values come from, when that is Vercel's own answer for a project of ours: the CNAME
   * is then trusted (`DnsRecordSpec.trustedSource`) rather than matched against the allow-list.
   */
  readonly source?: string;
  /** True while the project does not exist yet (staging before prod): no record this run. */
  readonly pending?: pulumi.Input<boolean>;
}

/** Looks up Vercel's recommendation for one host of one web app. */
export type VercelDnsLookup = (app: WebAppSpec, host: string) => VercelDnsTarget;

/** The Vercel project a host belongs to, as `vercelDnsTarget` needs it. */
export interface VercelDnsProject {
  /** The project's name, for messages. */
  readonly name: string;
  /**
   * The project's id: the created project's (prod; unknown at a first preview, so the lookup waits
   * for the project to exist) or the looked-up one's (staging; `""` while it does not exist).
   */
  readonly id: pulumi.Input<string>;
}

/**
 * Vercel's recommended DNS values for `host` on the project (`vercel.getDomainConfig`:
 * `recommendedIpv4s`, `recommendedCname`, rank 1). The project is referenced by id, never by name:
 * a lookup by name fails while the project does not exist, which is every first deploy (prod
 * creates it in the same run; staging may run before prod, deploy.yml). With an empty id (a
 * pending project) nothing is looked up.
 */
export function vercelDnsTarget(project: VercelDnsProject, host: string, opts: pulumi.InvokeOutputOptions): VercelDnsTarget {
  const config = pulumi
    .output(project.id)
    .apply((id): pulumi.Output<vercel.GetDomainConfigResult | undefined> =>
      id === "" ? pulumi.output(undefined) : vercel.getDomainConfigOutput({ domain: host, projectIdOrName: id }, opts),
    );
  return {
    // No config: a pending project, whose record is not registered (`pending`); nothing to check.
    ipv4s: config.apply((c): readonly string[] => {
      if (c === undefined) return [""];
      const ips = c.recommendedIpv4s;
      // Every address of Vercel's first-ranked answer (today two): one A record each.
      if (!ips || ips.length === 0) {
        throw new Error(`Vercel recommends no IPv4 address for ${host} (project ${project.name}); check the domain in the project's settings`);
      }
      return ips;
    }),
    cname: config.apply((c) => {
      if (c === undefined) return "";
      if (!c.recommendedCname) {
        throw new Error(`Vercel recommends no CNAME target for ${host} (project ${project.name}); check the domain in the project's settings`);
      }
      return c.recommendedCname;
    }),
    // The provider asks Vercel for this project's own recommendation: a target Vercel controls.
    source: `vercel.getDomainConfig for project ${project.name}`,
  };
}

/** DNS records for a product: API hosts → the ingress, Vercel hosts → Vercel's recommendation (apex A, else CNAME). */
export function productDnsRecords(
  spec: ProductSpec,
  platform: Pick<PlatformSettings, "zoneName" | "ingressAddress">,
  lookup: VercelDnsLookup,
): DnsRecordSpec[] {
  const records: DnsRecordSpec[] = [];
  for (const w of spec.workloads) {
    if (w.publicHost) {
      // Not proxied: Cloudflare's proxy cuts long SSE streams and would hide the ingress's own TLS.
      records.push({ name: w.publicHost, type: "A", content: platform.ingressAddress, proxied: false });
    }
  }
  for (const app of spec.webApps) {
    for (const { host } of app.domains) {
      const target = lookup(app, host);
      if (host !== platform.zoneName && !host.endsWith(`.${platform.zoneName}`)) {
        // A domain outside our zone (a community's own, seed 003 `branding.domains`): its owner
        // sets the record; the run logs the one Vercel recommends for it.
        pulumi.output(target.cname).apply((cname) => {
          if (cname !== "")
            pulumi.log.info(
              `${host} is outside the zone ${platform.zoneName}: its owner points a CNAME at ${cname.replace(/\.$/, "")} (Vercel's answer for ${app.projectName})`,
            );
        });
        continue;
      }
      const pending = target.pending !== undefined ? { pending: target.pending } : {};
      const trusted = target.source !== undefined ? { trustedSource: target.source } : {};
      // Vercel terminates TLS itself and asks that its records are not proxied.
      records.push(
        host === platform.zoneName
          ? { name: host, type: "A", content: target.ipv4s, proxied: false, ...pending }
          : { name: host, type: "CNAME", content: target.cname, proxied: false, ...pending, ...trusted },
      );
    }
  }
  return records;
}

/**
 * One `VercelApp` per web app; a change of any value it receives (a provided key, a rotated
 * secret, a plain variable) redeploys it once, after `workloads` rolled out. Staging redeploys only
 * apps with a preview branch (without one there is no single branch to deploy).
 */
export function productWebApps(scope: ProductScope, webApps: readonly WebAppSpec[], workloads: readonly KubernetesService[]): VercelApp[] {
  const { platform } = scope;
  const prod = scope.context.environment === "prod";
  return webApps.map((a) => {
    const redeploys = prod || a.previewBranch !== undefined;
    // Prod: the staging branch's values are simply production's; staging: they override the branch only.
    const branchEnv = a.stagingBranchEnv ?? {};
    return new VercelApp(
      `${scope.name}-${a.name}`,
      {
        context: scope.context,
        project: {
          name: a.projectName,
          framework: a.framework,
          rootDirectory: a.rootDirectory,
          gitRepository: { type: "github", repo: a.repository },
          buildCommand: a.buildCommand,
          outputDirectory: a.outputDirectory,
          installCommand: a.installCommand,
        },
        // Only staging deploys a preview branch; prod is the production branch.
        previewBranch: prod ? undefined : a.previewBranch,
        env: prod ? { ...a.env, ...branchEnv } : { ...a.env },
        branchEnv: prod ? undefined : { ...branchEnv },
        publicEnvKeys: a.publicEnvKeys,
        secretEnv: secretValues(scope.secrets, a.secretEnv),
        domains: a.domains.map((d) => ({ domain: d.host, redirectTo: d.redirectTo })),
        // Vercel applies variable changes only to new deployments: redeploy when the digest of the
        // app's variables changes (the same `envDigest` the workloads' pods roll on).
        redeploy: redeploys ? { digestKey: scope.secrets.digestKey, after: [...workloads] } : undefined,
        previewProtection: a.previewProtection,
        // The one list of headers: set by the route here, checked by the app's headers probe.
        responseHeaders: a.responseHeaders,
        functionRegions: a.functionRegions,
        rateLimit: a.rateLimit && {
          ...a.rateLimit,
          pathPrefix: platform.vercelFirewall?.pathPrefix ?? "/api/",
          maxWindowSeconds: platform.vercelFirewall?.maxWindowSeconds,
          // The health probes (monitoring/product-monitoring.ts) GET it on every host each scrape interval from one IP.
          exemptPaths: [a.healthPath],
        },
      },
      { parent: scope.parent },
    );
  });
}

/** The product's DNS records, or none when it has no public host. */
export function productDns(scope: ProductScope, spec: ProductSpec, apps: readonly VercelApp[]): DnsRecords | undefined {
  const { platform } = scope;
  const records = productDnsRecords(spec, platform, (app, host) => {
    const web = apps[spec.webApps.indexOf(app)];
    const target = vercelDnsTarget({ name: web.projectName, id: web.projectId }, host, { parent: scope.parent });
    // A looked-up project may not exist yet: its records wait for the run after prod, like its variables.
    return web.managesProject ? target : { ...target, pending: web.projectPending };
  });
  if (records.length === 0) return undefined;
  return new DnsRecords(
    `${scope.name}-dns`,
    { context: scope.context, zoneId: platform.zoneId, zoneName: platform.zoneName, records, allowedCnameTargets: platform.allowedCnameTargets },
    { parent: scope.parent },
  );
}
