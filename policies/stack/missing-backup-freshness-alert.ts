import { defineStackRule } from "../lib/rule";
import { K8S, RPO_ANNOTATION } from "../lib/kubernetes";
import { backupCronJobsOf } from "../lib/backups";
import { integer, readConfig } from "../lib/config";
import { promRulesOf } from "../lib/prometheus";
import { matchesValue, parsePromql, selectors, thresholds, type Node } from "../lib/promql";
import { k8sName, ofTypes } from "../lib/stack";
import { known, obj, UNKNOWN } from "../lib/values";

/**
 * kube-state-metrics series that only move when a run SUCCEEDS: the CronJob's last successful
 * time, and a Job's succeeded count or completion time (Kubernetes sets `completionTime` only when
 * a Job completes successfully). `kube_cronjob_status_last_schedule_time`, `kube_cronjob_next_schedule_time`
 * and `kube_cronjob_status_active` keep moving while every run fails.
 */
export const SUCCESS_SERIES = ["kube_cronjob_status_last_successful_time", "kube_job_status_succeeded", "kube_job_status_completion_time"];

/** A Job a CronJob creates is named `<cronjob>-<scheduled time in minutes>` (CronJob controller). */
const SAMPLE_JOB_SUFFIX = "-29000000";

/** Whether a selector picks series of CronJob `name`: a matcher accepting it, or (Job series) a `job_name` matcher accepting its Jobs. */
function selectsCronJob(sel: Extract<Node, { kind: "selector" }>, name: string): boolean {
  return sel.matchers.some(
    (m) =>
      (m.op === "=" && m.value === name) ||
      (m.op === "=~" && matchesValue(m, name)) ||
      (m.label === "job_name" && m.op === "=~" && matchesValue(m, `${name}${SAMPLE_JOB_SUFFIX}`)),
  );
}

const DEFAULTS = {
  // seed 001 §4.3: RPO 24 hours.
  defaultRpoSeconds: 86_400,
};

/** Every backup job has a freshness alert (last success older than the RPO). */
export const missingBackupFreshnessAlert = defineStackRule("stack", {
  name: "stack-missing-backup-freshness-alert",
  description: "Every backup CronJob must have an alert that reads its last successful run and fires when that success is older than its RPO.",
  enforcementLevel: "mandatory",
  numbers: [64, 72],
  anchors: ["app-platform RPO (seed 001 §4.3)", "kube-state-metrics kube_cronjob_status_last_successful_time"],
  rationale: "A backup job that silently stops succeeding is only noticed when a restore is needed.",
  standard: "app-platform RPO (seed 001 §4.3: 24 h); kube-state-metrics kube_cronjob_status_last_successful_time",
  config: {
    defaultRpoSeconds: integer(`RPO in seconds for backup CronJobs without the \`${RPO_ANNOTATION}\` annotation.`, DEFAULTS.defaultRpoSeconds, 60),
  },
  appliesTo: [K8S.CronJob],
  validateStack: (args, report) => {
    const { defaultRpoSeconds } = readConfig(args, DEFAULTS);
    const alerts = ofTypes(args.resources, K8S.PrometheusRule).flatMap((pr) => {
      const rules = known(() => promRulesOf(pr.props));
      return rules === UNKNOWN ? [] : rules.filter((r) => r.alert && typeof r.expr === "string");
    });
    for (const job of backupCronJobsOf(args.resources)) {
      const annotations = known(() => ({ ...obj(obj(job.props.metadata).annotations) }));
      const name = k8sName(job);
      const rpo = Number((annotations === UNKNOWN ? undefined : annotations[RPO_ANNOTATION]) ?? defaultRpoSeconds);
      const watching = alerts.filter((a) => {
        try {
          return selectors(parsePromql(String(a.expr))).some((sel) => selectsCronJob(sel, name));
        } catch {
          return false; // an unparseable expression is reported by prometheus-enforce-alert-expressions
        }
      });
      if (watching.length === 0) {
        report(
          `Backup CronJob "${name}" has no freshness alert, so a silently failing backup goes unnoticed until a restore. Fix: add an alert like \`time() - kube_cronjob_status_last_successful_time{cronjob="${name}"} > ${rpo}\` (severity critical).`,
          job.urn,
        );
        continue;
      }
      const onSuccess = watching.filter((a) =>
        selectors(parsePromql(String(a.expr))).some((sel) => sel.name !== undefined && SUCCESS_SERIES.includes(sel.name) && selectsCronJob(sel, name)),
      );
      if (onSuccess.length === 0) {
        const read = [
          ...new Set(
            watching.flatMap((a) =>
              selectors(parsePromql(String(a.expr)))
                .filter((sel) => selectsCronJob(sel, name))
                .map((sel) => sel.name ?? sel.text),
            ),
          ),
        ];
        report(
          `Backup CronJob "${name}" is watched by alert "${watching[0].name}", but it reads ${read.join(", ")}, not the last SUCCESSFUL run: a failing job is still scheduled, so the alert never fires. Fix: compare the age of \`kube_cronjob_status_last_successful_time{cronjob="${name}"}\` with the RPO (${rpo} s).`,
          job.urn,
        );
        continue;
      }
      const timely = onSuccess.some((a) => thresholds(parsePromql(String(a.expr))).some((t) => [">", ">="].includes(t.op) && t.threshold <= rpo));
      if (!timely) {
        report(
          `Backup CronJob "${name}" is watched by alert "${watching[0].name}", but it does not fire once the last success is older than the RPO (${rpo} s). Fix: compare the age with \`> ${rpo}\` (or less).`,
          job.urn,
        );
      }
    }
  },
});
