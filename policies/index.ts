/**
 * The pack entry the Pulumi engine loads (`pulumi preview --policy-pack policies`). Constructing
 * `PolicyPack` starts the analyzer's gRPC server, so nothing else may do it: rules are plain
 * values in `rules.ts`.
 */
import { PolicyPack } from "@pulumi/policy";
import { rules } from "./rules";

new PolicyPack("app-platform", {
  description: "app-platform security rules: Kubernetes, AWS S3, Cloudflare, Vercel, random, Prometheus.",
  policies: [...rules],
});
