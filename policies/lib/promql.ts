/**
 * PromQL as the Prometheus project's own grammar reads it: `@prometheus-io/lezer-promql` (the
 * parser of Prometheus' web UI, generated from the same grammar) builds the syntax tree, and this
 * module turns it into a small expression tree the rules walk: comparisons against a constant
 * threshold, the label matchers of every selector.
 *
 * The grammar is error-tolerant (it marks errors in the tree instead of throwing). `parsePromql`
 * throws on the first error node, with a message in Prometheus' terms, and adds the checks
 * Prometheus makes after parsing that the grammar leaves out: regular expressions compile, range
 * and offset durations carry a unit, aggregations have an argument. `promtool check rules` stays
 * the reference where a binary is available; this runs inside the policy pack, where none is.
 */
import { parser } from "@prometheus-io/lezer-promql";
import type { SyntaxNode } from "@lezer/common";

export type Node =
  | { kind: "number"; value: number }
  | { kind: "string"; value: string }
  | { kind: "selector"; name?: string; matchers: Matcher[]; /** The selector as written. */ text: string }
  | { kind: "call"; fn: string; args: Node[] }
  | { kind: "aggregate"; op: string; args: Node[] }
  | { kind: "binary"; op: string; lhs: Node; rhs: Node; /** A comparison with the `bool` modifier (returns 0/1 instead of filtering). */ bool?: true }
  | { kind: "unary"; op: string; expr: Node }
  | { kind: "paren"; expr: Node }
  | { kind: "range"; expr: Node };

export interface Matcher {
  readonly label: string;
  readonly op: "=" | "!=" | "=~" | "!~";
  readonly value: string;
}

const COMPARISONS = new Set(["==", "!=", ">", "<", ">=", "<="]);

const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };

/** Seconds of a Prometheus duration (`5m`, `1h30m`), or undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(n) * UNIT_SECONDS[unit];
  return total;
}

/** A PromQL number literal (`0x1f`, `1e3`, `Inf`, `NaN`) or a duration used as a number (`5m`). */
function numberValue(text: string): number {
  const lower = text.toLowerCase();
  if (lower === "inf" || lower === "+inf") return Infinity;
  if (lower === "-inf") return -Infinity;
  if (lower === "nan") return NaN;
  const n = Number(text.replace(/_/g, ""));
  if (!Number.isNaN(n)) return n;
  return parseDuration(text) ?? NaN;
}

/** The value of a PromQL string literal: Go escapes in `"…"` and `'…'`, raw text in backticks. */
export function unquote(literal: string): string {
  const quote = literal[0];
  const body = literal.slice(1, -1);
  if (quote === "`") return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_m, e: string) => {
    switch (e[0]) {
      case "n":
        return "\n";
      case "t":
        return "\t";
      case "r":
        return "\r";
      case "a":
        return "\x07";
      case "b":
        return "\b";
      case "f":
        return "\f";
      case "v":
        return "\v";
      case "x":
        return String.fromCharCode(parseInt(e.slice(1), 16));
      case "u":
      case "U":
        return String.fromCodePoint(parseInt(e.slice(1), 16));
      default:
        return /^[0-7]{3}$/.test(e) ? String.fromCharCode(parseInt(e, 8)) : e;
    }
  });
}

/** Error-free children of a node. */
function kids(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

/** Node types that are expressions (as opposed to operators, modifiers and punctuation). */
const EXPRESSIONS = new Set([
  "AggregateExpr",
  "BinaryExpr",
  "FunctionCall",
  "MatrixSelector",
  "NumberDurationLiteral",
  "OffsetExpr",
  "ParenExpr",
  "StepInvariantExpr",
  "StringLiteral",
  "SubqueryExpr",
  "UnaryExpr",
  "VectorSelector",
  "AnchoredExpr",
  "SmoothedExpr",
]);

class TreeReader {
  constructor(private readonly src: string) {}

  text(node: SyntaxNode): string {
    return this.src.slice(node.from, node.to);
  }

  private fail(message: string): never {
    throw new Error(message);
  }

  /** Range, subquery and offset durations need a unit, as Prometheus' parser requires. */
  private checkDuration(node: SyntaxNode | null): void {
    if (!node) return;
    const literal = node.name === "NumberDurationLiteralInDurationContext" ? node : node.getChild("NumberDurationLiteralInDurationContext");
    if (!literal) return; // a duration expression (`[5m * 2]`, experimental) — the grammar checked its shape
    const text = this.text(literal);
    if (parseDuration(text) === undefined && node.name !== "OffsetDurationExpr") {
      this.fail(`expected a duration at ${literal.from}, found "${text}"`);
    }
  }

  expr(node: SyntaxNode): Node {
    switch (node.name) {
      case "PromQL":
      case "ParenExpr": {
        const inner = kids(node).find((c) => EXPRESSIONS.has(c.name));
        if (!inner) this.fail(node.name === "PromQL" ? "the expression is empty" : `empty parentheses at ${node.from}`);
        const expr = this.expr(inner);
        return node.name === "PromQL" ? expr : { kind: "paren", expr };
      }
      case "NumberDurationLiteral":
        return { kind: "number", value: numberValue(this.text(node)) };
      case "StringLiteral":
        return { kind: "string", value: unquote(this.text(node)) };
      case "VectorSelector":
        return this.selector(node);
      case "MatrixSelector":
      case "SubqueryExpr": {
        const parts = kids(node);
        for (const d of parts.filter((c) => c.name === "DurationExpr")) this.checkDuration(d);
        return { kind: "range", expr: this.expr(parts.find((c) => EXPRESSIONS.has(c.name))!) };
      }
      case "OffsetExpr": {
        const parts = kids(node);
        this.checkOffset(parts.find((c) => c.name === "OffsetDurationExpr") ?? null);
        return this.expr(parts.find((c) => EXPRESSIONS.has(c.name))!);
      }
      case "StepInvariantExpr":
      case "AnchoredExpr":
      case "SmoothedExpr":
        return this.expr(kids(node).find((c) => EXPRESSIONS.has(c.name))!);
      case "UnaryExpr": {
        const parts = kids(node);
        const op = this.text(parts.find((c) => c.name === "UnaryOp")!).trim();
        return { kind: "unary", op, expr: this.expr(parts.find((c) => EXPRESSIONS.has(c.name))!) };
      }
      case "BinaryExpr": {
        const parts = kids(node);
        const operands = parts.filter((c) => EXPRESSIONS.has(c.name));
        const opNode = parts.find(
          (c) => c !== operands[0] && c !== operands[1] && !["BoolModifier", "MatchingModifierClause", "FillModifier"].includes(c.name),
        )!;
        const bool = parts.some((c) => c.name === "BoolModifier");
        return {
          kind: "binary",
          op: this.text(opNode).toLowerCase(),
          lhs: this.expr(operands[0]),
          rhs: this.expr(operands[1]),
          ...(bool ? { bool: true as const } : {}),
        };
      }
      case "FunctionCall": {
        const fn = this.text(node.getChild("FunctionIdentifier")!);
        return { kind: "call", fn, args: this.args(node.getChild("FunctionCallBody")) };
      }
      case "AggregateExpr": {
        const op = this.text(node.getChild("AggregateOp")!).toLowerCase();
        const args = this.args(node.getChild("FunctionCallBody"));
        if (args.length === 0) this.fail(`${op}() needs an argument`);
        return { kind: "aggregate", op, args };
      }
      default:
        return this.fail(`unexpected "${this.text(node)}" at ${node.from}`);
    }
  }

  private checkOffset(node: SyntaxNode | null): void {
    const literal = node
      ? (node.getChild("NumberDurationLiteralInDurationContext") ?? node.getChild("OffsetDurationExpr")?.getChild("NumberDurationLiteralInDurationContext"))
      : null;
    if (literal && parseDuration(this.text(literal)) === undefined) this.fail(`expected a duration at ${literal.from}, found "${this.text(literal)}"`);
  }

  private args(body: SyntaxNode | null): Node[] {
    return body
      ? kids(body)
          .filter((c) => EXPRESSIONS.has(c.name))
          .map((c) => this.expr(c))
      : [];
  }

  private selector(node: SyntaxNode): Node {
    const id = node.getChild("Identifier");
    let name = id ? this.text(id) : undefined;
    const matchers: Matcher[] = [];
    const list = node.getChild("LabelMatchers");
    for (const m of list ? kids(list) : []) {
      if (m.name === "QuotedLabelName") {
        // `{"metric.name"}`: a metric name in quotes (UTF-8 names, Prometheus 3).
        name = unquote(this.text(m.getChild("StringLiteral")!));
        continue;
      }
      if (m.name !== "UnquotedLabelMatcher" && m.name !== "QuotedLabelMatcher") continue;
      const labelNode = m.getChild("LabelName") ?? m.getChild("QuotedLabelName")?.getChild("StringLiteral");
      const label = m.name === "UnquotedLabelMatcher" ? this.text(labelNode!) : unquote(this.text(labelNode!));
      const op = this.text(m.getChild("MatchOp")!) as Matcher["op"];
      const valueNode = kids(m)
        .filter((c) => c.name === "StringLiteral")
        .pop()!;
      const value = unquote(this.text(valueNode));
      if (op === "=~" || op === "!~") {
        try {
          new RegExp(`^(?:${value})$`);
        } catch {
          this.fail(`invalid regular expression "${value}" at ${valueNode.from}`);
        }
      }
      matchers.push({ label, op, value });
    }
    if (name === undefined && !matchers.some((m) => !matchesValue(m, ""))) {
      this.fail(`vector selector must contain at least one non-empty matcher at ${node.from}`);
    }
    return { kind: "selector", ...(name !== undefined ? { name } : {}), matchers, text: this.text(node) };
  }
}

/** Whether `m` matches label value `value` (`""` stands for a missing label, as in Prometheus). */
export function matchesValue(m: Matcher, value: string): boolean {
  switch (m.op) {
    case "=":
      return value === m.value;
    case "!=":
      return value !== m.value;
    case "=~":
      return new RegExp(`^(?:${m.value})$`).test(value);
    case "!~":
      return !new RegExp(`^(?:${m.value})$`).test(value);
  }
}

/** Whether `name(…)` is a function the grammar knows. */
function isKnownFunction(name: string): boolean {
  let known = false;
  parser.parse(`${name}()`).iterate({
    enter: (n) => {
      if (n.name === "FunctionIdentifier") known = true;
    },
  });
  return known;
}

/** Index of the innermost bracket still open at `pos` (string literals and comments skipped). */
function openBracket(src: string, pos: number): string | undefined {
  const stack: string[] = [];
  const close: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
  for (let i = 0; i < pos; i++) {
    const ch = src[i];
    if (ch === '"' || ch === "'" || ch === "`") {
      for (i++; i < pos && src[i] !== ch; i++) if (src[i] === "\\" && ch !== "`") i++;
    } else if (ch === "#") {
      while (i < pos && src[i] !== "\n") i++;
    } else if ("([{".includes(ch)) stack.push(ch);
    else if (ch in close && stack[stack.length - 1] === close[ch]) stack.pop();
  }
  return stack.pop();
}

/** The message for the grammar's first error node, in the words of Prometheus' own parser. */
function describeError(src: string, error: SyntaxNode): string {
  const at = error.from;
  if (at >= src.trimEnd().length) {
    const open = openBracket(src, at);
    return open ? `expected "${{ "(": ")", "[": "]", "{": "}" }[open]}" at ${at}, found end` : "unexpected end of expression";
  }
  // A word that starts with a digit but is no number or duration: `5q`, `1h5`.
  const start = /[A-Za-z0-9_.]*$/.exec(src.slice(0, at))![0];
  const word = start + /^[A-Za-z0-9_.]*/.exec(src.slice(at))![0];
  if (/^\d/.test(word)) return `invalid number or duration "${word}"`;
  // `name(` where the grammar knows no function `name`.
  const call = /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(src.slice(0, at));
  if (call && src[at] === "(" && !isKnownFunction(call[1])) return `unknown function "${call[1]}"`;
  const found = src.slice(at, Math.max(error.to, at + 1));
  return `unexpected "${found}" at ${at}`;
}

/** Parses a PromQL expression; throws an Error saying where it is wrong. */
export function parsePromql(expr: string): Node {
  if (expr.trim() === "") throw new Error("the expression is empty");
  const tree = parser.parse(expr);
  let error: SyntaxNode | undefined;
  tree.iterate({
    enter: (n) => {
      if (error) return false;
      if (n.type.isError) {
        error = n.node;
        return false;
      }
      return undefined;
    },
  });
  if (error) throw new Error(describeError(expr, error));
  return new TreeReader(expr).expr(tree.topNode);
}

/** The value of a constant sub-expression (numbers and arithmetic on them), else undefined. */
export function constantValue(node: Node): number | undefined {
  switch (node.kind) {
    case "number":
      return node.value;
    case "paren":
      return constantValue(node.expr);
    case "unary": {
      const v = constantValue(node.expr);
      return v === undefined ? undefined : node.op === "-" ? -v : v;
    }
    case "binary": {
      const a = constantValue(node.lhs);
      const b = constantValue(node.rhs);
      if (a === undefined || b === undefined) return undefined;
      switch (node.op) {
        case "+":
          return a + b;
        case "-":
          return a - b;
        case "*":
          return a * b;
        case "/":
          return a / b;
        case "%":
          return a % b;
        case "^":
          return a ** b;
        default:
          return undefined;
      }
    }
    default:
      return undefined;
  }
}

function children(node: Node): Node[] {
  switch (node.kind) {
    case "call":
    case "aggregate":
      return node.args;
    case "binary":
      return [node.lhs, node.rhs];
    case "unary":
    case "paren":
    case "range":
      return [node.expr];
    default:
      return [];
  }
}

/** Every node of the tree, depth first. */
export function walk(node: Node): Node[] {
  return [node, ...children(node).flatMap(walk)];
}

/** Every vector selector of the expression, in order. */
export function selectors(node: Node): Extract<Node, { kind: "selector" }>[] {
  return walk(node).filter((n): n is Extract<Node, { kind: "selector" }> => n.kind === "selector");
}

/** Comparisons of the expression against a constant: `{ op, threshold }`. */
export function thresholds(node: Node): { op: string; threshold: number }[] {
  const result: { op: string; threshold: number }[] = [];
  for (const n of walk(node)) {
    if (n.kind !== "binary" || !COMPARISONS.has(n.op)) continue;
    const rhs = constantValue(n.rhs);
    const lhs = constantValue(n.lhs);
    if (rhs !== undefined && lhs === undefined) result.push({ op: n.op, threshold: rhs });
    else if (lhs !== undefined && rhs === undefined) result.push({ op: n.op, threshold: lhs });
  }
  return result;
}

/** Whether a selector of the expression matches label value `value` (by `=` or a matching `=~`). */
export function selectsLabelValue(node: Node, value: string): boolean {
  return selectors(node).some((n) => n.matchers.some((m) => (m.op === "=" && m.value === value) || (m.op === "=~" && matchesValue(m, value))));
}

/** The comparisons of the expression written with the `bool` modifier (`x > bool 1`), as text. */
export function boolComparisons(node: Node): string[] {
  return walk(node)
    .filter((n): n is Extract<Node, { kind: "binary" }> => n.kind === "binary" && n.bool === true && COMPARISONS.has(n.op))
    .map((n) => `${n.op} bool`);
}
