#!/usr/bin/env node
/**
 * Rewrites old citations of the policy rules in the given files:
 *  - numbered references ("POLICIES.md 14", "rule 53", "policy 61", "policies 53/54", "rules 56–59")
 *    become the rules' names: a link `[`name`](<relative>/docs/policies.md#name)` in markdown, `name`
 *    in backticks in code comments, the bare name inside code strings (which may be template literals);
 *  - paths to the old brief outside the repository (`../../shared/POLICIES.md`, `shared/POLICIES.md`,
 *    `shared/POLICIES`) become `docs/policies.md`;
 *  - "(issue N)" and "(issue N: text)" lose the issue reference; other "issue N" phrases are listed
 *    for a hand edit, as is any "POLICIES.md" left over.
 *
 * The number → name map is read from the generated catalogue, docs/policies.md (each rule's
 * "Former number"), which tools/policy-catalogue.ts writes from the pack's metadata.
 *
 *   node tools/rewrite-citations.mjs <files...>            # rewrite in place, print each change
 *   node tools/rewrite-citations.mjs --dry-run <files...>  # print what would change
 *
 * Idempotent: a rewritten file has nothing left to rewrite. Exit code 0; hits it could not rewrite
 * are printed under "left for a hand edit" (exit code 2 when there are any, so scripts notice).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CATALOGUE = path.join(ROOT, "docs", "policies.md");

/** number → rule names (a number may map to one rule; `secret-flow` is not a policy but has a section). */
export function loadNumberMap(text = fs.readFileSync(CATALOGUE, "utf8")) {
    const map = new Map();
    let current;
    for (const line of text.split("\n")) {
        const heading = /^### (\S+)\s*$/.exec(line);
        if (heading) current = heading[1];
        const former = /^- \*\*Former number:\*\* ([\d, ]+)$/.exec(line);
        if (former && current) {
            for (const n of former[1].split(/,\s*/).map(Number)) {
                if (map.has(n)) throw new Error(`number ${n} belongs to both ${map.get(n)} and ${current}`);
                map.set(n, current);
            }
        }
    }
    if (map.size === 0) throw new Error(`${CATALOGUE} lists no "Former number": regenerate it (npm run policy-docs)`);
    return map;
}

/** "53/54", "56–59", "53 or 54", "1, 2 and 3" → [53, 54] ... */
function parseNumbers(list) {
    const out = [];
    for (const part of list.split(/\s*(?:,|\/|\bor\b|\band\b)\s*/)) {
        const range = /^(\d+)\s*[–-]\s*(\d+)$/.exec(part.trim());
        if (range) {
            const [a, b] = [Number(range[1]), Number(range[2])];
            if (b < a || b - a > 20) return undefined;
            for (let n = a; n <= b; n++) out.push(n);
        } else if (/^\d+$/.test(part.trim())) out.push(Number(part.trim()));
        else if (part.trim() !== "") return undefined;
    }
    return out;
}

function joinNames(names, conjunction) {
    if (names.length <= 1) return names.join("");
    return `${names.slice(0, -1).join(", ")} ${conjunction} ${names[names.length - 1]}`;
}

const NUMBER_LIST = String.raw`\d+(?:\s*(?:,|\/|–|-|\bor\b|\band\b)\s*\d+)*`;
/** "POLICIES.md 14", "policy rule 61", "rule 14", "rules 56–59", "policy 53", "policies 53/54" ("POLICIES.md's 65" is a count: left for a hand edit). */
const NUMBERED = new RegExp(String.raw`\b(?:POLICIES\.md|[Pp]olicy [Rr]ule|[Rr]ules?|[Pp]olic(?:y|ies))\s+(${NUMBER_LIST})(?!\w|\.\d)`, "g");
/** Paths of the old brief outside the repository. */
const OLD_PATH = /(?:\.\.\/)*shared\/POLICIES(?:\.md)?/g;

/** Whether the text before `index` on this line is a comment (code files). */
function inComment(line, index, ext) {
    const trimmed = line.trimStart();
    if (/^(\*|\/\*|\/\/)/.test(trimmed)) return true;
    if ([".yml", ".yaml", ".sh", ""].includes(ext) && trimmed.startsWith("#")) return true;
    const slashes = line.slice(0, index).search(/(^|[^:])\/\/(?!\/)/);
    return slashes >= 0;
}

/** Rewrites one file's text; returns { text, changes, leftovers }. */
export function rewrite(text, file, map) {
    const ext = path.extname(file);
    const markdown = ext === ".md";
    const rel = path.relative(path.dirname(path.resolve(file)), CATALOGUE).split(path.sep).join("/");
    const changes = [];
    const leftovers = [];
    const lines = text.split("\n");
    lines.forEach((original, i) => {
        let line = original;
        // 1. the old path → docs/policies.md (a markdown link: relative to the file).
        if (markdown) {
            line = line.replace(/\[`?POLICIES\.md`?\]\((?:\.\.\/)*shared\/POLICIES(?:\.md)?\)/g, `[\`docs/policies.md\`](${rel})`);
            line = line.replace(/\]\((?:\.\.\/)*shared\/POLICIES(?:\.md)?(#[^)]*)?\)/g, (_m, anchor) => `](${rel}${anchor ?? ""})`);
        }
        line = line.replace(OLD_PATH, "docs/policies.md");
        // 2. numbered citations → names.
        line = line.replace(NUMBERED, (match, list, offset) => {
            const numbers = parseNumbers(list);
            const names = numbers?.map((n) => map.get(n));
            if (!names || names.length === 0 || names.some((n) => n === undefined)) {
                leftovers.push({ line: i + 1, text: match, why: "number not in the catalogue" });
                return match;
            }
            let rendered;
            if (markdown) rendered = names.map((n) => `[\`${n}\`](${rel}#${n})`);
            else if (inComment(line, offset, ext)) rendered = names.map((n) => `\`${n}\``);
            else rendered = names;
            return joinNames(rendered, /\bor\b/.test(list) ? "or" : "and");
        });
        // 3. "(issue N)" → removed; "(issue N: text)" / "(issue N, text)" → "(text)".
        line = line.replace(/ ?\([Ii]ssue \d+\)/g, "");
        line = line.replace(/\([Ii]ssue \d+[:,] /g, "(");
        if (line !== original) changes.push({ line: i + 1, before: original, after: line });
        // 4. anything left: listed for a hand edit.
        for (const m of line.matchAll(/\b[Ii]ssue \d+\b[^\n]{0,40}/g)) leftovers.push({ line: i + 1, text: m[0], why: "issue reference" });
        for (const m of line.matchAll(/POLICIES(?:\.md)?[^\n]{0,30}/g)) leftovers.push({ line: i + 1, text: m[0], why: "POLICIES.md without a number" });
        lines[i] = line;
    });
    return { text: lines.join("\n"), changes, leftovers };
}

function main(argv) {
    const dryRun = argv.includes("--dry-run");
    const files = argv.filter((a) => a !== "--dry-run");
    if (files.length === 0) {
        console.error("usage: node tools/rewrite-citations.mjs [--dry-run] <files...>");
        return 1;
    }
    const map = loadNumberMap();
    let changed = 0;
    const left = [];
    for (const file of files) {
        if (path.resolve(file) === CATALOGUE) continue; // generated; its numbers are the map
        if (!fs.statSync(file).isFile()) continue;
        const before = fs.readFileSync(file, "utf8");
        const { text, changes, leftovers } = rewrite(before, file, map);
        for (const c of changes) console.log(`${file}:${c.line}\n  - ${c.before.trim()}\n  + ${c.after.trim()}`);
        for (const l of leftovers) left.push(`${file}:${l.line}: ${l.why}: ${l.text.trim()}`);
        if (text !== before) {
            changed++;
            if (!dryRun) fs.writeFileSync(file, text);
        }
    }
    console.log(`${dryRun ? "would change" : "changed"} ${changed} file(s)`);
    if (left.length > 0) {
        console.log(`left for a hand edit (${left.length}):`);
        for (const l of left) console.log(`  ${l}`);
        return 2;
    }
    return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    process.exitCode = main(process.argv.slice(2));
}
