/**
 * The resource types the typed rules read, declared here instead of imported from the provider
 * SDKs: each is its type token and the input properties the rules use, typed as the provider's
 * `…Args` declare them. Importing the SDK classes (for `validateResourceOfType`) made the
 * engine's type-checked start of the pack read ~170k lines of provider type definitions, and the
 * pack depend on four provider packages it never calls.
 *
 * tests/policies/resource-types.test.ts holds these to the SDKs: every token equals the class's
 * `__pulumiType`, and every property declared here exists in the provider's `…Args` with a type
 * the provider's values fit (checked by the type checker, `npm run typecheck`).
 */

/** A resource type as a rule sees it: the token, and (type-level only) the shape of its inputs. */
export interface ResourceType<TProps> {
  readonly token: string;
  /** Never set: carries `TProps` for `ofType`. */
  readonly props?: TProps;
}

function resourceType<TProps>(token: string): ResourceType<TProps> {
  return { token };
}

/** `metadata` of a Kubernetes object, as far as the rules read it. */
export interface ObjectMetaProps {
  name?: string;
  namespace?: string;
  labels?: { [key: string]: string };
  annotations?: { [key: string]: string };
}

export interface KmsKeyProps {
  customerMasterKeySpec?: string;
  enableKeyRotation?: boolean;
}

export interface RandomPasswordProps {
  length?: number;
  lower?: boolean;
  upper?: boolean;
  numeric?: boolean;
  /** Deprecated alias of `numeric` in @pulumi/random 4. */
  number?: boolean;
  special?: boolean;
}

export interface R2BucketProps {
  name?: string;
  location?: string;
  jurisdiction?: string;
}

export interface R2BucketCorsProps {
  bucketName?: string;
  rules?: Array<{ id?: string; allowed?: { origins?: string[] } }>;
}

export interface DnsRecordProps {
  type: string;
  name: string;
  content?: string;
  proxied?: boolean;
  comment?: string;
  tags?: string[];
  data?: { target?: string };
}

export interface ConfigMapProps {
  metadata?: ObjectMetaProps;
  data?: { [key: string]: string };
  binaryData?: { [key: string]: string };
}

export interface ServiceProps {
  metadata?: ObjectMetaProps;
  spec?: { type?: string; loadBalancerSourceRanges?: string[] };
}

export interface PodProps {
  metadata?: ObjectMetaProps;
}

export interface DeploymentProps {
  metadata?: ObjectMetaProps;
  /** The rules walk the rest of the spec with `obj()`/`list()`. */
  spec?: { replicas?: number; template?: object };
}

export interface CronJobProps {
  metadata?: ObjectMetaProps;
  /** The rules walk the rest of the spec with `obj()`/`list()`. */
  spec?: { schedule?: string; suspend?: boolean; jobTemplate?: object };
}

export const KmsKey = resourceType<KmsKeyProps>("aws:kms/key:Key");
export const RandomPassword = resourceType<RandomPasswordProps>("random:index/randomPassword:RandomPassword");
export const R2Bucket = resourceType<R2BucketProps>("cloudflare:index/r2Bucket:R2Bucket");
export const R2BucketCors = resourceType<R2BucketCorsProps>("cloudflare:index/r2BucketCors:R2BucketCors");
export const DnsRecord = resourceType<DnsRecordProps>("cloudflare:index/dnsRecord:DnsRecord");
export const ConfigMap = resourceType<ConfigMapProps>("kubernetes:core/v1:ConfigMap");
export const Service = resourceType<ServiceProps>("kubernetes:core/v1:Service");
export const Pod = resourceType<PodProps>("kubernetes:core/v1:Pod");
export const Deployment = resourceType<DeploymentProps>("kubernetes:apps/v1:Deployment");
export const CronJob = resourceType<CronJobProps>("kubernetes:batch/v1:CronJob");
