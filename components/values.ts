/**
 * Value objects for quantities where a bare number misleads (cdk8s-style): a `Duration` is not
 * "30", it is `Duration.seconds(30)`; a retention is `Retention.days(90)` or `Retention.years(7)`.
 */

/** A span of time with an explicit unit. Immutable; compare with `toSeconds()`. */
export class Duration {
  private constructor(private readonly totalSeconds: number) {
    if (!Number.isFinite(totalSeconds) || totalSeconds < 0) {
      throw new RangeError(`a duration must be a finite number of seconds >= 0, got ${totalSeconds}`);
    }
  }

  static seconds(n: number): Duration {
    return new Duration(n);
  }
  static minutes(n: number): Duration {
    return new Duration(n * 60);
  }
  static hours(n: number): Duration {
    return new Duration(n * 3600);
  }
  static days(n: number): Duration {
    return new Duration(n * 86_400);
  }

  toSeconds(): number {
    return this.totalSeconds;
  }
  toMinutes(): number {
    return this.totalSeconds / 60;
  }
  toHours(): number {
    return this.totalSeconds / 3600;
  }

  /** Prometheus duration string, e.g. `5m`, `1h`, `90s` (largest whole unit). */
  toPrometheus(): string {
    const s = this.totalSeconds;
    if (s !== Math.floor(s)) throw new RangeError(`Prometheus durations need whole seconds, got ${s}`);
    if (s > 0 && s % 86_400 === 0) return `${s / 86_400}d`;
    if (s > 0 && s % 3600 === 0) return `${s / 3600}h`;
    if (s > 0 && s % 60 === 0) return `${s / 60}m`;
    return `${s}s`;
  }

  toString(): string {
    return this.toPrometheus();
  }
}

/** How long data is kept, in whole days. */
export class Retention {
  private constructor(readonly days: number) {
    if (!Number.isInteger(days) || days < 1) {
      throw new RangeError(`a retention must be a whole number of days >= 1, got ${days}`);
    }
  }

  static days(n: number): Retention {
    return new Retention(n);
  }
  /** Years of 365 days (7 years = 2555 days), the unit lifecycle rules accept. */
  static years(n: number): Retention {
    return new Retention(n * 365);
  }

  toSeconds(): number {
    return this.days * 86_400;
  }
  toString(): string {
    return `${this.days}d`;
  }
}

/**
 * A table name for the restore check (components/data/restore-verification.ts): `table` or
 * `schema.table`, each part a plain lower-case identifier or a double-quoted one (`"User"`).
 */
export const RESTORE_TABLE = /^(([a-z_][a-z0-9_$]*|"[^"]+")\.)?([a-z_][a-z0-9_$]*|"[^"]+")$/;
