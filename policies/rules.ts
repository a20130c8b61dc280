/**
 * The registry of every rule of the pack, by area, with its metadata.
 * `index.ts` serves `rules`; the catalogue (docs/policies.md, tools/policy-catalogue.ts), the
 * README table, the tests and tools read `registry`.
 */
import type { AppPolicy, RuleMetadata } from "./lib/rule";
import { disallowPrivilegedContainers } from "./kubernetes/disallow-privileged-containers";
import { disallowHostNamespaces } from "./kubernetes/disallow-host-namespaces";
import { disallowPrivilegeEscalation } from "./kubernetes/disallow-privilege-escalation";
import { enforceRunAsNonRoot } from "./kubernetes/enforce-run-as-non-root";
import { enforceDropAllCapabilities } from "./kubernetes/enforce-drop-all-capabilities";
import { enforceSeccompProfile } from "./kubernetes/enforce-seccomp-profile";
import { enforceReadOnlyRootFilesystem } from "./kubernetes/enforce-read-only-root-filesystem";
import { disallowUnsafeVolumes } from "./kubernetes/disallow-unsafe-volumes";
import { disallowHostPorts } from "./kubernetes/disallow-host-ports";
import { enforceBaselinePodSecurity } from "./kubernetes/enforce-baseline-pod-security";
import { disableServiceAccountTokenAutomount } from "./kubernetes/disable-service-account-token-automount";
import { disallowDefaultServiceAccount } from "./kubernetes/disallow-default-service-account";
import { disallowDefaultNamespace } from "./kubernetes/disallow-default-namespace";
import { disallowLatestImageTag } from "./kubernetes/disallow-latest-image-tag";
import { configureResourceRequests } from "./kubernetes/configure-resource-requests";
import { configureHealthProbes } from "./kubernetes/configure-health-probes";
import { disallowSecretEnvLiterals } from "./kubernetes/disallow-secret-env-literals";
import { missingRecommendedLabels } from "./kubernetes/missing-recommended-labels";
import { disallowBarePods } from "./kubernetes/disallow-bare-pods";
import { missingNetworkPolicy } from "./kubernetes/missing-network-policy";
import { disallowDeprecatedApiVersions } from "./kubernetes/disallow-deprecated-api-versions";
import { configureReplicas } from "./kubernetes/configure-replicas";
import { missingPodDisruptionBudget } from "./kubernetes/missing-pod-disruption-budget";
import { disallowBlockingPodDisruptionBudget } from "./kubernetes/disallow-blocking-pod-disruption-budget";
import { enforceReplicaSpreading } from "./kubernetes/enforce-replica-spreading";
import { configureRolloutAndSelectors } from "./kubernetes/configure-rollout-and-selectors";
import { configureCronjobDeadlines } from "./kubernetes/configure-cronjob-deadlines";
import { configureCronjobHygiene } from "./kubernetes/configure-cronjob-hygiene";
import { enforceBackupScheduleRpo } from "./kubernetes/enforce-backup-schedule-rpo";
import { disallowExposedServiceTypes } from "./kubernetes/disallow-exposed-service-types";
import { disallowSshAndExternalIps } from "./kubernetes/disallow-ssh-and-external-ips";
import { disallowSecretsInConfigmaps } from "./kubernetes/disallow-secrets-in-configmaps";
import { disallowExcessiveRbac } from "./kubernetes/disallow-excessive-rbac";
import { disallowSuspendedBackups } from "./kubernetes/disallow-suspended-backups";
import { missingPublicAccessBlock } from "./aws/missing-public-access-block";
import { disableBucketAcls } from "./aws/disable-bucket-acls";
import { enableBucketKmsEncryption } from "./aws/enable-bucket-kms-encryption";
import { enableBucketVersioning } from "./aws/enable-bucket-versioning";
import { enableBackupObjectLock } from "./aws/enable-backup-object-lock";
import { configureBucketLifecycle } from "./aws/configure-bucket-lifecycle";
import { enforceBucketSecureTransport } from "./aws/enforce-bucket-secure-transport";
import { enableBucketAccessLogging } from "./aws/enable-bucket-access-logging";
import { enableBackupReplication } from "./aws/enable-backup-replication";
import { enableKmsKeyRotation } from "./aws/enable-kms-key-rotation";
import { disallowWildcardIamGrants } from "./aws/disallow-wildcard-iam-grants";
import { disallowPublicPolicyPrincipals } from "./aws/disallow-public-policy-principals";
import { enforceBackupCredentialScope } from "./aws/enforce-backup-credential-scope";
import { configureKmsDeletionWindow } from "./aws/configure-kms-deletion-window";
import { disallowR2PublicAccess } from "./cloudflare/disallow-r2-public-access";
import { disallowR2BackupCustomDomain } from "./cloudflare/disallow-r2-backup-custom-domain";
import { configureR2Lifecycle } from "./cloudflare/configure-r2-lifecycle";
import { enableR2BackupLock } from "./cloudflare/enable-r2-backup-lock";
import { disallowR2CorsWildcard } from "./cloudflare/disallow-r2-cors-wildcard";
import { configureR2Location } from "./cloudflare/configure-r2-location";
import { disallowUnknownCnameTargets } from "./cloudflare/disallow-unknown-cname-targets";
import { disallowPrivateDnsAddresses } from "./cloudflare/disallow-private-dns-addresses";
import { configureDnsRecordMetadata } from "./cloudflare/configure-dns-record-metadata";
import { enforceSensitiveSecrets } from "./vercel/enforce-sensitive-secrets";
import { disallowPublicSecrets } from "./vercel/disallow-public-secrets";
import { enforceLiveKeysProductionOnly } from "./vercel/enforce-live-keys-production-only";
import { configureExplicitTargets } from "./vercel/configure-explicit-targets";
import { configurePasswordStrength } from "./random/configure-password-strength";
import { disallowRandomStringSecrets } from "./random/disallow-random-string-secrets";
import { enforceAlertSeverity } from "./prometheus/enforce-alert-severity";
import { missingAlertAnnotations } from "./prometheus/missing-alert-annotations";
import { configureAlertForDuration } from "./prometheus/configure-alert-for-duration";
import { enforceAlertExpressions } from "./prometheus/enforce-alert-expressions";
import { enforceMonitoringWiring } from "./prometheus/enforce-monitoring-wiring";
import { disallowTokenLiterals } from "./stack/disallow-token-literals";
import { missingBackupFreshnessAlert } from "./stack/missing-backup-freshness-alert";
import { enforceBackupBucketProtection } from "./stack/enforce-backup-bucket-protection";
import { missingAlertSeriesSource } from "./stack/missing-alert-series-source";
import { disallowOpenNetworkRanges } from "./stack/disallow-open-network-ranges";
import { disallowBackupExpiryDates } from "./stack/disallow-backup-expiry-dates";

export const kubernetesRules: readonly AppPolicy[] = [
  disallowPrivilegedContainers,
  disallowHostNamespaces,
  disallowPrivilegeEscalation,
  enforceRunAsNonRoot,
  enforceDropAllCapabilities,
  enforceSeccompProfile,
  enforceReadOnlyRootFilesystem,
  disallowUnsafeVolumes,
  disallowHostPorts,
  enforceBaselinePodSecurity,
  disableServiceAccountTokenAutomount,
  disallowDefaultServiceAccount,
  disallowDefaultNamespace,
  disallowLatestImageTag,
  configureResourceRequests,
  configureHealthProbes,
  disallowSecretEnvLiterals,
  missingRecommendedLabels,
  disallowBarePods,
  missingNetworkPolicy,
  disallowDeprecatedApiVersions,
  configureReplicas,
  missingPodDisruptionBudget,
  disallowBlockingPodDisruptionBudget,
  enforceReplicaSpreading,
  configureRolloutAndSelectors,
  configureCronjobDeadlines,
  configureCronjobHygiene,
  enforceBackupScheduleRpo,
  disallowExposedServiceTypes,
  disallowSshAndExternalIps,
  disallowSecretsInConfigmaps,
  disallowExcessiveRbac,
  disallowSuspendedBackups,
];

export const awsRules: readonly AppPolicy[] = [
  missingPublicAccessBlock,
  disableBucketAcls,
  enableBucketKmsEncryption,
  enableBucketVersioning,
  enableBackupObjectLock,
  configureBucketLifecycle,
  enforceBucketSecureTransport,
  enableBucketAccessLogging,
  enableBackupReplication,
  enableKmsKeyRotation,
  disallowWildcardIamGrants,
  disallowPublicPolicyPrincipals,
  enforceBackupCredentialScope,
  configureKmsDeletionWindow,
];
export const cloudflareRules: readonly AppPolicy[] = [
  disallowR2PublicAccess,
  disallowR2BackupCustomDomain,
  configureR2Lifecycle,
  enableR2BackupLock,
  disallowR2CorsWildcard,
  configureR2Location,
  disallowUnknownCnameTargets,
  disallowPrivateDnsAddresses,
  configureDnsRecordMetadata,
];
export const vercelRules: readonly AppPolicy[] = [enforceSensitiveSecrets, disallowPublicSecrets, enforceLiveKeysProductionOnly, configureExplicitTargets];
export const randomRules: readonly AppPolicy[] = [configurePasswordStrength, disallowRandomStringSecrets];
export const prometheusRules: readonly AppPolicy[] = [
  enforceAlertSeverity,
  missingAlertAnnotations,
  configureAlertForDuration,
  enforceAlertExpressions,
  enforceMonitoringWiring,
];
export const stackRules: readonly AppPolicy[] = [
  disallowTokenLiterals,
  missingBackupFreshnessAlert,
  enforceBackupBucketProtection,
  missingAlertSeriesSource,
  disallowOpenNetworkRanges,
  disallowBackupExpiryDates,
];

/** Every rule, in catalogue order (`numbers`) within each area. */
export const rules: readonly AppPolicy[] = [
  ...kubernetesRules,
  ...awsRules,
  ...cloudflareRules,
  ...vercelRules,
  ...randomRules,
  ...prometheusRules,
  ...stackRules,
];

/** A requirement of the catalogue that no policy of this pack can check, and where it is checked instead. */
export interface NotAPolicy {
  /** The anchor of its section in docs/policies.md. */
  readonly name: string;
  /** See `RuleMetadata.numbers`. */
  readonly numbers: readonly number[];
  /** One sentence saying what is required. */
  readonly description: string;
  /** Why it is not a policy and what checks it instead. */
  readonly checkedBy: string;
  readonly rationale: string;
  readonly standard: string;
}

/** Catalogue requirements this pack does not implement as policies, and why. */
export const notImplemented: readonly NotAPolicy[] = [
  {
    name: "secret-flow",
    numbers: [33],
    description: "Secret values stay Pulumi secrets end to end.",
    checkedBy: "Secret flow is checked by the plan, where secret markers are visible; a policy receives secrets in plaintext (pulumi/pulumi-policy#241).",
    rationale: "A value that loses its secret marker is written to the state, previews and logs in plaintext.",
    standard: "Pulumi secrets (encrypted configuration and state)",
  },
];

export interface RegisteredRule {
  readonly name: string;
  readonly description: string;
  readonly enforcementLevel: "mandatory" | "advisory";
  readonly metadata: RuleMetadata;
}

/** A read-only view of `rules` for tables and tools. */
export const registry: readonly RegisteredRule[] = rules.map((p) => ({
  name: p.name,
  description: p.description,
  enforcementLevel: p.enforcementLevel === "mandatory" ? "mandatory" : "advisory",
  metadata: p.metadata,
}));
