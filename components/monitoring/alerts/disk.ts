/**
 * Disk builder: free space of node_exporter filesystems or kubelet PersistentVolumeClaim stats.
 */
import { Duration } from "../../values";
import { type AlertSpec, type SeriesSelector, type AlertOptions, METRICS } from "./types";
import { renderSelector, describeSelector, percent, validateSelector, checkRatio } from "./helpers";
import { type BuilderDefaults, tierFor, buildSpec } from "./builder";

// --- disk ------------------------------------------------------------------------------------

/** Options of `diskSpaceLow`. */
export interface DiskSpaceOptions extends AlertOptions {
  /** The filesystem or volume series. @example { persistentvolumeclaim: "data-codebook-0" } */
  readonly selector: SeriesSelector;
  /** Free share below which the alert fires. @default 0.1 */
  readonly freeRatio?: number;
  /**
   * `node`: node_exporter filesystems (`node_filesystem_avail_bytes / node_filesystem_size_bytes`);
   * `pvc`: PersistentVolumeClaims (`kubelet_volume_stats_available_bytes / ..._capacity_bytes`).
   * @default "node"
   */
  readonly source?: "node" | "pvc";
}

/** Defaults of `diskSpaceLow`: seed 001 §1.4 critical "Disk space < 10% free". */
export const DISK_SPACE_DEFAULTS: BuilderDefaults<number> = {
  name: "DiskSpaceLow",
  severity: "critical",
  tiers: { critical: { threshold: 0.1, for: Duration.minutes(5) } },
};

/** Free space below a share of the size, for node filesystems or PVCs. */
export function diskSpaceLow(opts: DiskSpaceOptions): AlertSpec {
  const { severity, tier } = tierFor(DISK_SPACE_DEFAULTS, opts);
  const freeRatio = opts.freeRatio ?? tier.threshold;
  const source = opts.source ?? "node";
  const problems: string[] = [];
  validateSelector("selector", opts.selector, problems);
  checkRatio("freeRatio", freeRatio, problems);
  const sel = renderSelector(opts.selector);
  const [avail, size, what] =
    source === "pvc"
      ? [METRICS.pvcAvail, METRICS.pvcCapacity, "Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }}"]
      : [METRICS.nodeFsAvail, METRICS.nodeFsSize, "Filesystem {{ $labels.mountpoint }} on {{ $labels.instance }}"];
  return buildSpec(opts, DISK_SPACE_DEFAULTS, tier, {
    builder: "diskSpaceLow",
    defaultName: source === "pvc" ? "PersistentVolumeSpaceLow" : DISK_SPACE_DEFAULTS.name,
    severity,
    expr: `${avail}${sel} / ${size}${sel} < ${freeRatio}`,
    summary: `Less than ${percent(freeRatio)} disk space free (${describeSelector(opts.selector)})`,
    description: `${what} has {{ $value | humanizePercentage }} space left (threshold ${percent(freeRatio)}).`,
    problems,
  });
}
