/**
 * Terminal styling and the progress line.
 *
 * Colours use Node's own `util.styleText` (Node ≥ 20.12; no colour library is a declared
 * dependency of this project — picocolors is only in the tree through vite), and only when the
 * stream is a TTY: `NO_COLOR` turns them off, `FORCE_COLOR` (non-zero) on, `--color` /
 * `--no-color` override both.
 */
import { stripVTControlCharacters, styleText } from "node:util";

type StyleText = (format: string, text: string, options?: { validateStream?: boolean }) => string;

export type Colour = "red" | "green" | "yellow" | "magenta" | "cyan" | "gray" | "bold" | "dim";

export interface Style {
  readonly enabled: boolean;
  (colour: Colour | readonly Colour[], text: string): string;
}

/** Whether to colour output written to `stream`. */
export function colourEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env, override?: boolean): boolean {
  if (override !== undefined) return override;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false";
  return stream.isTTY === true && env.TERM !== "dumb";
}

/** A styling function that colours only when `enabled`. */
export function makeStyle(enabled: boolean): Style {
  const fn = ((colour: Colour | readonly Colour[], text: string): string => {
    if (!enabled || text === "") return text;
    let out = text;
    // `validateStream: false`: this module decides (newer Node versions would check stdout themselves).
    for (const c of Array.isArray(colour) ? colour : [colour]) out = (styleText as StyleText)(c as Colour, out, { validateStream: false });
    return out;
  }) as Style;
  Object.defineProperty(fn, "enabled", { value: enabled });
  return fn;
}

/**
 * One progress line on stderr while the plan runs: redrawn in place (10 Hz) on a TTY, one line
 * per phase change otherwise (CI logs). `done()` clears it.
 */
export class Progress {
  private readonly tasks = new Map<string, { phase: string; detail: string; started: number }>();
  private timer: NodeJS.Timeout | undefined;
  private lastLength = 0;
  private readonly started = Date.now();

  constructor(
    private readonly stream: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean },
    private readonly enabled: boolean,
    private readonly style: Style = makeStyle(false),
  ) {
    if (enabled && stream.isTTY) {
      this.timer = setInterval(() => this.draw(), 100);
      this.timer.unref();
    }
  }

  /** Sets a task's phase (`running program`, `policy pack`, …) and optional detail (`120/216`). */
  update(task: string, phase: string, detail = ""): void {
    if (!this.enabled) return;
    const prev = this.tasks.get(task);
    const changed = !prev || prev.phase !== phase;
    this.tasks.set(task, { phase, detail, started: changed ? Date.now() : prev!.started });
    if (!this.stream.isTTY && changed) this.stream.write(`${task}: ${phase}\n`);
  }

  private draw(): void {
    const spinner = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"[Math.floor((Date.now() - this.started) / 100) % 10];
    const parts = [...this.tasks].map(([task, t]) => {
      const secs = ((Date.now() - t.started) / 1000).toFixed(1);
      return `${this.style("bold", task)}: ${t.phase}${t.detail ? ` ${t.detail}` : ""} ${this.style("dim", `${secs}s`)}`;
    });
    // A terminal of unknown size reports 0 columns.
    const columns = (this.stream as NodeJS.WriteStream).columns || 120;
    let line = `${spinner} ${parts.join(" · ")}`;
    // Keep it on one line (a wrapped line leaves a trail: `\x1b[K` clears only the last row). The
    // width is the visible text's; an overlong line is cut as plain text, without its colours.
    const plain = stripVTControlCharacters(line);
    if (plain.length > columns - 1) line = `${plain.slice(0, columns - 2)}…`;
    this.stream.write(`\r\x1b[K${line}`);
    this.lastLength = line.length;
  }

  /** Stops redrawing and clears the line. */
  done(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.enabled && this.stream.isTTY && this.lastLength > 0) this.stream.write("\r\x1b[K");
    this.lastLength = 0;
  }
}
