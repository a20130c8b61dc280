import type { PolicyResource } from "@pulumi/policy";
import { defineStackRule } from "../lib/rule";
import { K8S } from "../lib/kubernetes";
import { CREDENTIAL_URLS, findToken } from "../lib/secrets";
import { VARIABLE_CARRIERS, vercelVariablesOf } from "../lib/vercel";
import { forEachString } from "../lib/values";

/**
 * Where a token legitimately arrives: policies see secrets in plaintext (pulumi/pulumi-policy#241),
 * so a provider credential or a Secret's data looks like a literal here. These sinks are exempt;
 * that they carry Pulumi secrets is checked by the plan (`secret-flow`).
 */
function exemptPaths(r: PolicyResource): (path: string) => boolean {
  if (r.type.startsWith("pulumi:providers:")) return () => true;
  if (r.type === K8S.Secret) return (p) => p.startsWith("data") || p.startsWith("stringData");
  if (VARIABLE_CARRIERS[r.type] !== undefined) {
    const sensitive = new Set(
      vercelVariablesOf(r.type, r.props, r.name)
        .filter((v) => v.sensitive)
        .map((v) => v.valuePath),
    );
    return (p) => sensitive.has(p);
  }
  return () => false;
}

/** No token literals anywhere in resource inputs. */
export const disallowTokenLiterals = defineStackRule("stack", {
  name: "stack-disallow-token-literals",
  description:
    "No resource input may contain a credential literal (AWS key id, GitHub or Slack token, Stripe live key, PEM private key, Slack or Discord webhook URL).",
  enforcementLevel: "mandatory",
  numbers: [34, 74],
  anchors: ["gitleaks", "CKV_SECRET_2", "CKV_SECRET_6", "CWE-798"],
  rationale: "A credential written into the program ends up in source control and in the state in plaintext.",
  standard: "gitleaks; Checkov CKV_SECRET_2, CKV_SECRET_6; CWE-798",
  validateStack: (args, report) => {
    for (const r of args.resources) {
      const exempt = exemptPaths(r);
      forEachString(r.props, (value, path) => {
        if (exempt(path)) return;
        const kind = findToken(value) ?? CREDENTIAL_URLS.find((u) => u.pattern.test(value))?.kind;
        if (kind) {
          report(
            `${r.type.split(":").pop()} "${r.name}" has a ${kind} in \`${path}\`. Fix: revoke it, store the new one with \`pulumi config set --secret\` and pass it only to a Kubernetes Secret or a sensitive Vercel variable.`,
            r.urn,
          );
        }
      });
    }
  },
});
