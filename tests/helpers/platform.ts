/**
 * The platform half of `ApplicationStackArgs` that component tests build products against: the
 * shape `infra/program.ts` `platformFor` produces from the committed stacks, with placeholder
 * account ids and addresses (nothing here reaches a real account).
 */
import type { ApplicationStackArgs } from "../../components/product-validation";

/** A platform for `new ApplicationStack(...)` under mocks; `clock` pins "now" where a test needs it. */
export function testPlatform(overrides: Partial<ApplicationStackArgs["platform"]> = {}): ApplicationStackArgs["platform"] {
  return {
    zoneId: "0123456789abcdef0123456789abcdef",
    zoneName: "example.com",
    ingressAddress: "34.149.100.10",
    ingressClassName: "nginx",
    ingressControllerNamespace: "ingress-nginx",
    monitoringNamespace: "monitoring",
    clusterIssuer: "letsencrypt-prod",
    awsRegion: "us-east-1",
    cloudflareAccountId: "0123456789abcdef0123456789abcdef",
    backupImage: { repository: "docker.io/library/postgres", tag: "17.6-alpine3.22" },
    runbookBaseUrl: "https://runbooks.example.com/app-platform",
    alertRouting: { pagerKey: "pager", chatWebhookUrl: "https://hooks.example.com/x" },
    prometheusSelectorLabels: { release: "kube-prometheus-stack" },
    blackbox: { address: "prometheus-blackbox-exporter.monitoring.svc:9115", module: "http_2xx" },
    postgresExporter: { mode: "deploy", image: { repository: "quay.io/prometheuscommunity/postgres-exporter", tag: "v0.17.1" } },
    ...overrides,
  };
}
