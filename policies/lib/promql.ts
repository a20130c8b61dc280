/**
 * A small PromQL parser: enough to reject expressions Prometheus would reject (syntax, unknown
 * functions, unbalanced brackets, bad durations) and to find comparisons against a constant
 * threshold and the label matchers of selectors. `promtool check rules` remains the reference;
 * this runs inside the policy pack, where no binary is available.
 */

export type Node =
    | { kind: "number"; value: number }
    | { kind: "string"; value: string }
    | { kind: "selector"; name?: string; matchers: Matcher[] }
    | { kind: "call"; fn: string; args: Node[] }
    | { kind: "aggregate"; op: string; args: Node[] }
    | { kind: "binary"; op: string; lhs: Node; rhs: Node }
    | { kind: "unary"; op: string; expr: Node }
    | { kind: "paren"; expr: Node }
    | { kind: "range"; expr: Node };

export interface Matcher {
    readonly label: string;
    readonly op: "=" | "!=" | "=~" | "!~";
    readonly value: string;
}

const AGGREGATIONS = new Set(["sum", "avg", "count", "min", "max", "group", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values", "limitk", "limit_ratio"]);
const FUNCTIONS = new Set([
    "abs", "absent", "absent_over_time", "acos", "acosh", "asin", "asinh", "atan", "atanh", "avg_over_time", "ceil", "changes",
    "clamp", "clamp_max", "clamp_min", "cos", "cosh", "count_over_time", "day_of_month", "day_of_week", "day_of_year", "days_in_month",
    "deg", "delta", "deriv", "double_exponential_smoothing", "exp", "floor", "histogram_avg", "histogram_count", "histogram_fraction",
    "histogram_quantile", "histogram_stddev", "histogram_stdvar", "histogram_sum", "holt_winters", "hour", "idelta", "increase", "info",
    "irate", "label_join", "label_replace", "last_over_time", "ln", "log10", "log2", "mad_over_time", "max_over_time", "min_over_time",
    "minute", "month", "pi", "predict_linear", "present_over_time", "quantile_over_time", "rad", "rate", "resets", "round", "scalar",
    "sgn", "sin", "sinh", "sort", "sort_by_label", "sort_by_label_desc", "sort_desc", "sqrt", "stddev_over_time", "stdvar_over_time",
    "sum_over_time", "tan", "tanh", "time", "timestamp", "vector", "year",
]);
const COMPARISONS = new Set(["==", "!=", ">", "<", ">=", "<="]);
/** Binary operators by precedence, lowest first. */
const LEVELS: readonly (readonly string[])[] = [["or"], ["and", "unless"], ["==", "!=", "<=", "<", ">=", ">"], ["+", "-"], ["*", "/", "%", "atan2"]];

const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };

/** Seconds of a Prometheus duration (`5m`, `1h30m`), or undefined when malformed. */
export function parseDuration(text: string): number | undefined {
    if (!DURATION.test(text)) return undefined;
    let total = 0;
    for (const [, n, unit] of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(n) * UNIT_SECONDS[unit];
    return total;
}

interface Token {
    readonly type: "num" | "dur" | "str" | "id" | "op" | "eof";
    readonly text: string;
    readonly pos: number;
}

function tokenize(src: string): Token[] {
    const tokens: Token[] = [];
    let i = 0;
    const ops = ["==", "!=", "=~", "!~", "<=", ">=", "<", ">", "=", "+", "-", "*", "/", "%", "^", "(", ")", "{", "}", "[", "]", ",", ":", "@"];
    while (i < src.length) {
        const rest = src.slice(i);
        const ws = /^(\s+|#[^\n]*)/.exec(rest);
        if (ws) { i += ws[0].length; continue; }
        const dur = /^(\d+(ms|s|m|h|d|w|y))+(?![a-zA-Z0-9_])/.exec(rest);
        if (dur) { tokens.push({ type: "dur", text: dur[0], pos: i }); i += dur[0].length; continue; }
        const num = /^(0x[0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)(?![a-zA-Z_])/.exec(rest);
        if (num) { tokens.push({ type: "num", text: num[0], pos: i }); i += num[0].length; continue; }
        if (/^\d/.test(rest)) throw new Error(`invalid number or duration "${/^\w+/.exec(rest)![0]}" at ${i}`);
        const id = /^[a-zA-Z_][a-zA-Z0-9_:]*/.exec(rest);
        if (id) { tokens.push({ type: "id", text: id[0], pos: i }); i += id[0].length; continue; }
        if (rest[0] === '"' || rest[0] === "'" || rest[0] === "`") {
            const q = rest[0];
            let j = 1;
            let value = "";
            while (j < rest.length && rest[j] !== q) {
                if (rest[j] === "\\" && q !== "`") { value += rest[j + 1] ?? ""; j += 2; continue; }
                value += rest[j++];
            }
            if (j >= rest.length) throw new Error(`unterminated string at ${i}`);
            tokens.push({ type: "str", text: value, pos: i });
            i += j + 1;
            continue;
        }
        const op = ops.find((o) => rest.startsWith(o));
        if (!op) throw new Error(`unexpected character "${rest[0]}" at ${i}`);
        tokens.push({ type: "op", text: op, pos: i });
        i += op.length;
    }
    tokens.push({ type: "eof", text: "", pos: src.length });
    return tokens;
}

class Parser {
    private i = 0;
    constructor(private readonly tokens: Token[]) {}

    private peek(offset = 0): Token { return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]; }
    private next(): Token { return this.tokens[this.i++]; }
    private isOp(text: string): boolean { const t = this.peek(); return t.type === "op" && t.text === text; }
    private isId(text: string): boolean { const t = this.peek(); return t.type === "id" && t.text.toLowerCase() === text; }
    private expect(text: string): void {
        const t = this.next();
        if (t.text !== text || (t.type !== "op" && t.type !== "id")) throw new Error(`expected "${text}" at ${t.pos}, found "${t.text || "end"}"`);
    }

    parse(): Node {
        const node = this.expr(0);
        const t = this.peek();
        if (t.type !== "eof") throw new Error(`unexpected "${t.text}" at ${t.pos}`);
        return node;
    }

    private binaryOpAt(level: number): string | undefined {
        const t = this.peek();
        const ops = LEVELS[level];
        if (t.type === "op" && ops.includes(t.text)) return t.text;
        if (t.type === "id" && ops.includes(t.text.toLowerCase())) return t.text.toLowerCase();
        return undefined;
    }

    private expr(level: number): Node {
        if (level === LEVELS.length) return this.power();
        let lhs = this.expr(level + 1);
        for (let op = this.binaryOpAt(level); op !== undefined; op = this.binaryOpAt(level)) {
            this.next();
            if (COMPARISONS.has(op) && this.isId("bool")) this.next();
            this.modifiers();
            const rhs = this.expr(level + 1);
            lhs = { kind: "binary", op, lhs, rhs };
        }
        return lhs;
    }

    /** `on(...)`/`ignoring(...)` and `group_left(...)`/`group_right(...)`. */
    private modifiers(): void {
        if (this.isId("on") || this.isId("ignoring")) { this.next(); this.labelList(); }
        if (this.isId("group_left") || this.isId("group_right")) {
            this.next();
            if (this.isOp("(")) this.labelList();
        }
    }

    private labelList(): string[] {
        this.expect("(");
        const labels: string[] = [];
        while (!this.isOp(")")) {
            const t = this.next();
            if (t.type !== "id" && t.type !== "str") throw new Error(`expected a label name at ${t.pos}`);
            labels.push(t.text);
            if (!this.isOp(",")) break;
            this.next();
        }
        this.expect(")");
        return labels;
    }

    private power(): Node {
        const base = this.unary();
        if (this.isOp("^")) {
            this.next();
            this.modifiers();
            return { kind: "binary", op: "^", lhs: base, rhs: this.power() };
        }
        return base;
    }

    private unary(): Node {
        if (this.isOp("-") || this.isOp("+")) {
            const op = this.next().text;
            return { kind: "unary", op, expr: this.unary() };
        }
        return this.postfix(this.primary());
    }

    private duration(): number {
        const t = this.next();
        const seconds = t.type === "dur" ? parseDuration(t.text) : undefined;
        if (seconds === undefined) throw new Error(`expected a duration at ${t.pos}, found "${t.text || "end"}"`);
        return seconds;
    }

    private postfix(node: Node): Node {
        for (;;) {
            if (this.isOp("[")) {
                this.next();
                this.duration();
                if (this.isOp(":")) {
                    this.next();
                    if (!this.isOp("]")) this.duration();
                }
                this.expect("]");
                node = { kind: "range", expr: node };
            } else if (this.isId("offset")) {
                this.next();
                if (this.isOp("-")) this.next();
                this.duration();
            } else if (this.isOp("@")) {
                this.next();
                const t = this.next();
                if ((t.text === "start" || t.text === "end") && t.type === "id") { this.expect("("); this.expect(")"); }
                else if (t.type !== "num") throw new Error(`expected a timestamp after @ at ${t.pos}`);
            } else {
                return node;
            }
        }
    }

    private matchers(): Matcher[] {
        this.expect("{");
        const result: Matcher[] = [];
        while (!this.isOp("}")) {
            const label = this.next();
            if (label.type !== "id" && label.type !== "str") throw new Error(`expected a label name at ${label.pos}`);
            const op = this.next();
            if (op.type !== "op" || !["=", "!=", "=~", "!~"].includes(op.text)) throw new Error(`expected a label matcher operator at ${op.pos}`);
            const value = this.next();
            if (value.type !== "str") throw new Error(`expected a quoted label value at ${value.pos}`);
            if (op.text === "=~" || op.text === "!~") {
                try { new RegExp(`^(?:${value.text})$`); } catch { throw new Error(`invalid regular expression "${value.text}" at ${value.pos}`); }
            }
            result.push({ label: label.text, op: op.text as Matcher["op"], value: value.text });
            if (!this.isOp(",")) break;
            this.next();
        }
        this.expect("}");
        return result;
    }

    private args(): Node[] {
        this.expect("(");
        const args: Node[] = [];
        while (!this.isOp(")")) {
            args.push(this.expr(0));
            if (!this.isOp(",")) break;
            this.next();
        }
        this.expect(")");
        return args;
    }

    private primary(): Node {
        const t = this.peek();
        if (t.type === "op" && t.text === "(") {
            this.next();
            const expr = this.expr(0);
            this.expect(")");
            return { kind: "paren", expr };
        }
        if (t.type === "num") { this.next(); return { kind: "number", value: Number(t.text) }; }
        if (t.type === "dur") { this.next(); return { kind: "number", value: parseDuration(t.text)! }; }
        if (t.type === "str") { this.next(); return { kind: "string", value: t.text }; }
        if (t.type === "op" && t.text === "{") return { kind: "selector", matchers: this.matchers() };
        if (t.type !== "id") throw new Error(t.type === "eof" ? "unexpected end of expression" : `unexpected "${t.text}" at ${t.pos}`);
        const name = t.text;
        const lower = name.toLowerCase();
        if (lower === "inf" || lower === "nan") { this.next(); return { kind: "number", value: lower === "inf" ? Infinity : NaN }; }
        if (AGGREGATIONS.has(lower) && (this.peek(1).text === "(" || ["by", "without"].includes(this.peek(1).text.toLowerCase()))) {
            this.next();
            if (this.isId("by") || this.isId("without")) { this.next(); this.labelList(); }
            const args = this.args();
            if (this.isId("by") || this.isId("without")) { this.next(); this.labelList(); }
            if (args.length === 0) throw new Error(`${name}() needs an argument`);
            return { kind: "aggregate", op: lower, args };
        }
        if (this.peek(1).type === "op" && this.peek(1).text === "(") {
            if (!FUNCTIONS.has(name)) throw new Error(`unknown function "${name}"`);
            this.next();
            return { kind: "call", fn: name, args: this.args() };
        }
        if (["by", "without", "on", "ignoring", "bool", "offset", "group_left", "group_right"].includes(lower) || LEVELS.flat().includes(lower)) {
            throw new Error(`unexpected keyword "${name}" at ${t.pos}`);
        }
        this.next();
        return { kind: "selector", name, matchers: this.isOp("{") ? this.matchers() : [] };
    }
}

/** Parses a PromQL expression; throws an Error saying where it is wrong. */
export function parsePromql(expr: string): Node {
    if (expr.trim() === "") throw new Error("the expression is empty");
    return new Parser(tokenize(expr)).parse();
}

/** The value of a constant sub-expression (numbers and arithmetic on them), else undefined. */
export function constantValue(node: Node): number | undefined {
    switch (node.kind) {
        case "number": return node.value;
        case "paren": return constantValue(node.expr);
        case "unary": { const v = constantValue(node.expr); return v === undefined ? undefined : node.op === "-" ? -v : v; }
        case "binary": {
            const a = constantValue(node.lhs);
            const b = constantValue(node.rhs);
            if (a === undefined || b === undefined) return undefined;
            switch (node.op) {
                case "+": return a + b;
                case "-": return a - b;
                case "*": return a * b;
                case "/": return a / b;
                case "%": return a % b;
                case "^": return a ** b;
                default: return undefined;
            }
        }
        default: return undefined;
    }
}

function children(node: Node): Node[] {
    switch (node.kind) {
        case "call": case "aggregate": return node.args;
        case "binary": return [node.lhs, node.rhs];
        case "unary": case "paren": case "range": return [node.expr];
        default: return [];
    }
}

/** Every node of the tree, depth first. */
export function walk(node: Node): Node[] {
    return [node, ...children(node).flatMap(walk)];
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
    return walk(node).some((n) => n.kind === "selector" && n.matchers.some((m) =>
        (m.op === "=" && m.value === value) || (m.op === "=~" && new RegExp(`^(?:${m.value})$`).test(value))));
}
