/**
 * One digest of the variables a running app receives, the one mechanism that makes a changed
 * value reach it: Kubernetes workloads carry it as a pod-template annotation (a change rolls the
 * pods), Vercel apps in their redeploying `vercel.Deployment`'s `meta` (a change deploys again).
 * Both call `envDigest`, so a provided key changed in config (`DATABASE_URL`, a provider key), a
 * rotated generated secret and an on-demand rotation all redeploy the same way.
 *
 * The digest must not give the values away: it ends up where more people can read it than the
 * secrets (the Deployment's annotations in the cluster, the deployment's metadata in Vercel), and
 * a bare sha256 of a guessable value (a short password in a URL) can be reversed by trying
 * candidates. With a `key` it is an HMAC-SHA256, keyed with a generated secret no app receives
 * (`SecretSet.digestKey`), so without that key it says nothing about the values. It stays a Pulumi
 * secret either way (encrypted in state, masked in previews).
 */
import { createHash, createHmac } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

/** The variables' canonical form: `[name, value]` pairs sorted by name, as JSON. */
function canonical(values: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.entries(values).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The digest (64 hex characters) of plain values: HMAC-SHA256 keyed with `key`, or sha256 without
 * one (only for values that are not secret, such as a ConfigMap's data).
 */
export function digestValues(values: Readonly<Record<string, string>>, key?: string): string {
  const text = canonical(values);
  return key === undefined ? createHash("sha256").update(text).digest("hex") : createHmac("sha256", key).update(text).digest("hex");
}

/**
 * The digest of every variable in `vars` (values may be outputs and secrets), computed in an apply
 * and kept a Pulumi secret. Pass `key` (a generated secret) whenever a value is secret.
 */
export function envDigest(vars: Readonly<Record<string, pulumi.Input<string>>>, key?: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.secret(pulumi.all([pulumi.all(vars), key]).apply(([values, k]) => digestValues(values, k)));
}
