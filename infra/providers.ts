/**
 * Explicit providers, one per cloud, built from validated stack config. Every resource gets
 * its provider from here (through the application stack's `providers` option), never from
 * ambient provider config, so a stack cannot silently deploy to the wrong account or cluster.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as aws from "@pulumi/aws";
import * as cloudflare from "@pulumi/cloudflare";
import * as vercel from "@pulumiverse/vercel";
import type { StackConfig } from "./config";
import { resourceTags } from "../components/context";

export interface Providers {
  readonly kubernetes: k8s.Provider;
  readonly aws: aws.Provider;
  readonly cloudflare: cloudflare.Provider;
  readonly vercel: vercel.Provider;
}

export interface ProviderSecrets {
  readonly kubeconfig?: pulumi.Output<string>;
  readonly cloudflareApiToken: pulumi.Output<string>;
  readonly vercelApiToken: pulumi.Output<string>;
}

export function createProviders(cfg: StackConfig, secrets: ProviderSecrets): Providers {
  return {
    kubernetes: new k8s.Provider("kubernetes", {
      kubeconfig: secrets.kubeconfig,
      context: cfg.kubernetesContext || undefined,
    }),
    aws: new aws.Provider("aws", {
      region: cfg.awsRegion as aws.Region,
      defaultTags: { tags: resourceTags({ environment: cfg.environment, product: "platform", owner: cfg.owner }) },
    }),
    cloudflare: new cloudflare.Provider("cloudflare", { apiToken: secrets.cloudflareApiToken }),
    vercel: new vercel.Provider("vercel", { apiToken: secrets.vercelApiToken, team: cfg.vercelTeam || undefined }),
  };
}
