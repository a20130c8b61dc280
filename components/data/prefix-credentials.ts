/**
 * Credentials limited to one prefix of one backup bucket, for the jobs that write backups
 * (BackupJob) and the jobs that read them back (RestoreVerification): an IAM user with an inline
 * policy and an access key on S3, a Cloudflare API token on one R2 bucket. What each may do is the
 * caller's policy (S3) or permission group (R2); how the credentials are made, named and guarded is
 * the same, so it lives here once.
 *
 * The children keep the names they always had (`<job>-user`, `<job>-user-policy`,
 * `<job>-access-key`, `<job>-token`) under the job's component, so their URNs do not change.
 */
import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import type { BackupBucketRef } from "./backup-bucket";
import { PlatformContext, type Transform, resourceTags, transform } from "../context";

/** An access key pair as the job's Secret carries it (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`); both Pulumi secrets. */
export interface PrefixCredentials {
  readonly accessKeyId: pulumi.Output<string>;
  readonly secretAccessKey: pulumi.Output<string>;
}

/**
 * R2's S3 secret access key for an API token: the lower-case sha256 hex of the token value.
 * Refuses an empty value: Cloudflare's provider has returned an empty token value after a refresh
 * (cloudflare/terraform-provider-cloudflare#5273, #5967), and the sha256 of "" is a well-formed
 * key that would only fail the job's first request, hours later.
 */
export function r2SecretAccessKey(tokenValue: string): string {
  if (!tokenValue) throw new Error(emptyR2TokenMessage("the API token"));
  return createHash("sha256").update(tokenValue).digest("hex");
}

/** What to do when the provider hands back an empty R2 token value. */
export function emptyR2TokenMessage(token: string): string {
  return (
    `${token} has an empty \`value\`, so its R2 secret access key cannot be derived. Cloudflare's provider ` +
    "returns an empty value after a refresh (cloudflare/terraform-provider-cloudflare#5273, #5967); the " +
    "backup job would get an unusable key. Fix: replace the token so the provider returns a new value, " +
    "e.g. `pulumi up --replace <token URN>` (the token's URN is in `pulumi stack --show-urns`)"
  );
}

/** The Cloudflare token resource naming one R2 bucket. */
export function r2BucketResource(accountId: string, jurisdiction: string, bucketName: string): string {
  return `com.cloudflare.edge.r2.bucket.${accountId}_${jurisdiction}_${bucketName}`;
}

export interface S3PrefixCredentialsArgs {
  readonly bucket: BackupBucketRef;
  readonly context: PlatformContext;
  /** The IAM user's name. */
  readonly userName: string;
  /** The IAM user's path, e.g. `/app-platform/backup/`. */
  readonly iamPath: string;
  /** Tags added to the user's own (owner, product, environment). */
  readonly tags: Readonly<Record<string, string>>;
  /** The user's inline policy document, from the bucket's ARN, KMS key ARN and region. */
  readonly policy: (bucketArn: string, kmsKeyArn: string, region: string) => string;
  readonly transformUserPolicy?: Transform<aws.iam.UserPolicyArgs>;
}

/** An IAM user with an inline policy and an access key, children of `parent` named `<baseName>-…`. */
export function s3PrefixCredentials(parent: pulumi.Resource, baseName: string, args: S3PrefixCredentialsArgs): PrefixCredentials {
  const { bucket } = args;
  const user = new aws.iam.User(
    `${baseName}-user`,
    { name: args.userName, path: args.iamPath, tags: resourceTags(args.context, { ...args.tags }) },
    { parent },
  );
  const policyArgs: aws.iam.UserPolicyArgs = {
    user: user.name,
    policy: pulumi
      .all([bucket.arn as pulumi.Input<string>, bucket.kmsKeyArn as pulumi.Input<string>, bucket.region])
      .apply(([arn, key, region]) => args.policy(arn, key, region)),
  };
  new aws.iam.UserPolicy(`${baseName}-user-policy`, transform(args.transformUserPolicy, policyArgs), { parent });
  const key = new aws.iam.AccessKey(`${baseName}-access-key`, { user: user.name }, { parent });
  return { accessKeyId: pulumi.secret(key.id), secretAccessKey: pulumi.secret(key.secret) };
}

export interface R2PrefixCredentialsArgs {
  readonly bucket: BackupBucketRef;
  /** The token's name as the Cloudflare dashboard lists it. */
  readonly tokenName: pulumi.Input<string>;
  /** The permission group the token grants on the bucket (R2 read, or R2 write). */
  readonly permissionGroupId: string;
  readonly transformApiToken?: Transform<cloudflare.ApiTokenArgs>;
}

/**
 * A Cloudflare API token on the one R2 bucket, child of `parent` named `<baseName>-token`. An empty
 * token value (the provider after a refresh, #5273/#5967) fails the preview or update on the token
 * itself rather than reaching the job's Secret; during a create's preview the value is unknown and
 * nothing is checked.
 */
export function r2PrefixCredentials(parent: pulumi.Resource, baseName: string, args: R2PrefixCredentialsArgs): PrefixCredentials {
  const { bucket } = args;
  const jurisdiction = bucket.jurisdiction ?? "default";
  const tokenArgs: cloudflare.ApiTokenArgs = {
    name: args.tokenName,
    policies: [
      {
        effect: "allow",
        permissionGroups: [{ id: args.permissionGroupId }],
        resources: pulumi
          .all([bucket.accountId as pulumi.Input<string>, bucket.bucketName])
          .apply(([account, name]) => JSON.stringify({ [r2BucketResource(account, jurisdiction, name)]: "*" })),
      },
    ],
  };
  const token = new cloudflare.ApiToken(`${baseName}-token`, transform(args.transformApiToken, tokenArgs), { parent });
  return {
    accessKeyId: pulumi.secret(token.id),
    secretAccessKey: pulumi.secret(
      token.value.apply((v) => {
        if (!v) throw new pulumi.ResourceError(emptyR2TokenMessage(`Cloudflare API token "${baseName}-token"`), token);
        return r2SecretAccessKey(v);
      }),
    ),
  };
}

/** Arguments of {@link bucketPrefixCredentials}. */
export interface BucketPrefixCredentialsArgs {
  readonly bucket: BackupBucketRef;
  readonly context: PlatformContext;
  /** The prefix the credentials are for (named in the R2 token). */
  readonly prefix: string;
  /** What the credentials do, as the R2 token's name says it, e.g. `backup writer`. */
  readonly role: string;
  /** On S3: the IAM user's path, its tags and its inline policy. */
  readonly s3: Pick<S3PrefixCredentialsArgs, "iamPath" | "tags" | "policy">;
  /** On R2: the permission group the token grants on the bucket. */
  readonly r2PermissionGroupId: string;
  readonly transform?: {
    readonly userPolicy?: Transform<aws.iam.UserPolicyArgs>;
    readonly apiToken?: Transform<cloudflare.ApiTokenArgs>;
  };
}

/**
 * A job's credentials on its bucket, whichever kind it is: on S3 the IAM user
 * `<baseName>-<environment>`, on R2 the token `<product>-<environment> <role> <bucket>/<prefix>`.
 */
export function bucketPrefixCredentials(parent: pulumi.Resource, baseName: string, args: BucketPrefixCredentialsArgs): PrefixCredentials {
  const { bucket, context } = args;
  return bucket.kind === "s3"
    ? s3PrefixCredentials(parent, baseName, {
        bucket,
        context,
        userName: `${baseName}-${context.environment}`,
        ...args.s3,
        transformUserPolicy: args.transform?.userPolicy,
      })
    : r2PrefixCredentials(parent, baseName, {
        bucket,
        tokenName: pulumi.interpolate`${context.product}-${context.environment} ${args.role} ${bucket.bucketName}/${args.prefix}`,
        permissionGroupId: args.r2PermissionGroupId,
        transformApiToken: args.transform?.apiToken,
      });
}
