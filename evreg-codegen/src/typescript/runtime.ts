// What the generated Zod schemas call where Zod has no check of its own
// with JSON Schema's meaning: lengths in code points, `multipleOf` on
// decimals, JSON equality, `uniqueItems`, `contains`, and the formats
// evreg asserts, each as the registry checks it (docs/typescript.md).

import { z } from "zod";

/** A check of a payload's value: the keyword it stands for, and the test. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Check = readonly [keyword: string, test: (value: any) => boolean];

/**
 * A value that every one of `schemas` accepts and, when they do, every one of
 * `checks`, each given the value itself: what JSON Schema means by keywords
 * side by side and by `allOf`. (Zod's own intersections let one side accept
 * members the other refuses, and its objects' output leaves out an own
 * `__proto__` member.)
 */
export function all<T>(schemas: readonly z.ZodType[], checks: readonly Check[]): z.ZodType<T> {
  return z.custom<T>().superRefine((value, ctx) => {
    let failed = false;
    for (const schema of schemas) {
      const result = schema.safeParse(value);
      if (!result.success) {
        failed = true;
        for (const issue of result.error.issues) {
          ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
        }
      }
    }
    if (failed) return;
    for (const [keyword, test] of checks) {
      if (!test(value)) ctx.addIssue({ code: "custom", message: `does not match \`${keyword}\`` });
    }
  });
}

/** `not`. */
export function not(schema: z.ZodType): Check {
  return ["not", (v) => !schema.safeParse(v).success];
}

/** `if`, `then` and `else`. */
export function ifThenElse(test: z.ZodType, then?: z.ZodType, otherwise?: z.ZodType): Check {
  return [
    "if",
    (v) => {
      const branch = test.safeParse(v).success ? then : otherwise;
      return branch === undefined || branch.safeParse(v).success;
    },
  ];
}

/** `prefixItems`, and `items` after them (`rest`). */
export function prefixItems(schemas: readonly z.ZodType[], rest: z.ZodType): Check {
  return [
    "prefixItems",
    (a: unknown[]) => a.every((v, i) => (i < schemas.length ? schemas[i] : rest).safeParse(v).success),
  ];
}

/** `contains`, with `minContains` and `maxContains`. */
export function contains(schema: z.ZodType, min: number, max?: number): Check {
  return [
    "contains",
    (a: unknown[]) => {
      const n = a.filter((v) => schema.safeParse(v).success).length;
      return n >= min && (max === undefined || n <= max);
    },
  ];
}

/** `required`: members of the object's own. */
export function required(names: readonly string[]): Check {
  return ["required", (o: Record<string, unknown>) => names.every((k) => has(o, k))];
}

/** `properties`, read from the object's own members. */
export function properties(fields: readonly (readonly [string, z.ZodType])[]): Check {
  return [
    "properties",
    (o: Record<string, unknown>) => fields.every(([k, s]) => !has(o, k) || s.safeParse(get(o, k)).success),
  ];
}

/**
 * The members no property names: each pattern's schema they match
 * (`patternProperties`), or `rest` (`additionalProperties`) where none does.
 */
export function members(
  known: readonly string[],
  patterns: readonly (readonly [RegExp, z.ZodType])[],
  rest: z.ZodType | boolean,
): Check {
  return [
    "additionalProperties",
    (o: Record<string, unknown>) =>
      Object.keys(o).every((k) => {
        const value = get(o, k);
        const matched = patterns.filter(([p]) => p.test(k));
        if (!matched.every(([, s]) => s.safeParse(value).success)) return false;
        if (matched.length > 0 || known.includes(k)) return true;
        return typeof rest === "boolean" ? rest : rest.safeParse(value).success;
      }),
  ];
}

/** `propertyNames`. */
export function propertyNames(schema: z.ZodType): Check {
  return ["propertyNames", (o: Record<string, unknown>) => Object.keys(o).every((k) => schema.safeParse(k).success)];
}

/** `dependentRequired` of one member. */
export function dependentRequired(name: string, needs: readonly string[]): Check {
  return ["dependentRequired", (o: Record<string, unknown>) => !has(o, name) || needs.every((k) => has(o, k))];
}

/** `dependentSchemas` of one member. */
export function dependentSchema(name: string, schema: z.ZodType): Check {
  return ["dependentSchemas", (o: Record<string, unknown>) => !has(o, name) || schema.safeParse(o).success];
}

/** A value that exactly one of `schemas` accepts (`oneOf`). */
export function oneOf<T>(schemas: readonly z.ZodType[]): z.ZodType<T> {
  return z.custom<T>().superRefine((value, ctx) => {
    const passed = schemas.filter((s) => s.safeParse(value).success).length;
    if (passed !== 1) {
      ctx.addIssue({
        code: "custom",
        message: passed === 0 ? "matches none of `oneOf`" : `matches ${passed} of \`oneOf\`, not exactly one`,
      });
    }
  });
}

/** Length in Unicode code points, as JSON Schema counts `minLength`. */
export function length(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** A compiled `pattern`: ECMA-262 with Unicode semantics, unanchored. */
const patterns = new Map<string, RegExp>();
export function pattern(source: string): RegExp {
  let re = patterns.get(source);
  if (re === undefined) {
    try {
      re = new RegExp(source, "u");
    } catch {
      // A pattern that Unicode mode refuses (`[\w-]`) in the legacy reading.
      re = new RegExp(source);
    }
    patterns.set(source, re);
  }
  return re;
}

/** The decimal digits of a number as a mantissa and a count of decimals. */
function decimal(x: number): [bigint, number] {
  const text = String(x);
  const [digits, exp] = text.split("e");
  const negative = digits.startsWith("-");
  const plain = negative ? digits.slice(1) : digits;
  const dot = plain.indexOf(".");
  const decimals = dot < 0 ? 0 : plain.length - dot - 1;
  let mantissa = BigInt(plain.replace(".", ""));
  if (negative) mantissa = -mantissa;
  return [mantissa, decimals - (exp === undefined ? 0 : Number(exp))];
}

/** `multipleOf`: whether `value / by` is an integer in the decimal reading both print as. */
export function multipleOf(value: number, by: number): boolean {
  if (Number.isInteger(by) && by > 0 && by <= 2 ** 53) {
    return Number.isInteger(value) && value % by === 0;
  }
  if (value === 0) return true;
  if (Math.abs(value) < by) return false;
  const [vm, vd] = decimal(value);
  const [mm, md] = decimal(by);
  const shared = Math.min(vd, md);
  const a = vm * 10n ** BigInt(md - shared);
  const b = mm * 10n ** BigInt(vd - shared);
  return a % b === 0n;
}

/** JSON equality: numbers by value, objects whatever the order of their members. */
export function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => equal(item, b[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ob = b as Record<string, unknown>;
  const oa = a as Record<string, unknown>;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(ob, k) && equal(oa[k], ob[k]));
}

/** `uniqueItems: true`. */
export function unique(items: readonly unknown[]): boolean {
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      if (equal(items[i], items[j])) return false;
    }
  }
  return true;
}

/** The JSON object `value` is, if it is one. */
export function object(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Whether `value` has the member `key` of its own (not its prototype's). */
export function has(value: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(value, key);
}

/** The own member `key` of `value` (`__proto__` included, as JSON.parse makes it). */
export function get(value: Record<string, unknown>, key: string): unknown {
  return Object.getOwnPropertyDescriptor(value, key)?.value;
}

// ---------------------------------------------------------------------------
// Formats, as the registry asserts them (the `jsonschema` crate's checks).

const utf8 = new TextEncoder();
const isDigit = (b: number) => b >= 0x30 && b <= 0x39;
const isHex = (b: number) => isDigit(b) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
const isAlpha = (b: number) => (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
const isAlnum = (b: number) => isAlpha(b) || isDigit(b);

function digits(bytes: Uint8Array, at: number, n: number): number | undefined {
  let value = 0;
  for (let i = at; i < at + n; i++) {
    if (i >= bytes.length || !isDigit(bytes[i])) return undefined;
    value = value * 10 + bytes[i] - 0x30;
  }
  return value;
}

export function date(s: string): boolean {
  const b = utf8.encode(s);
  if (b.length !== 10 || b[4] !== 0x2d || b[7] !== 0x2d) return false;
  const year = digits(b, 0, 4);
  const month = digits(b, 5, 2);
  const day = digits(b, 8, 2);
  if (year === undefined || month === undefined || day === undefined) return false;
  if (month < 1 || month > 12 || day === 0) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return day <= days[month - 1];
}

export function time(s: string): boolean {
  const b = utf8.encode(s);
  const len = b.length;
  if (len < 9 || b[2] !== 0x3a || b[5] !== 0x3a) return false;
  const hour = digits(b, 0, 2);
  const minute = digits(b, 3, 2);
  const second = digits(b, 6, 2);
  if (hour === undefined || minute === undefined || second === undefined) return false;
  if (hour > 23 || minute > 59 || second > 60) return false;
  let i = 8;
  if (i < len && b[i] === 0x2e) {
    i++;
    const start = i;
    while (i < len && isDigit(b[i])) i++;
    if (i === start) return false;
  }
  if (i === len) return false;
  const sign = b[i];
  if (sign === 0x5a || sign === 0x7a) {
    return i === len - 1 && (second !== 60 || (hour === 23 && minute === 59));
  }
  if (sign !== 0x2b && sign !== 0x2d) return false;
  if (len - i !== 6) return false;
  i++;
  if (b[i + 2] !== 0x3a) return false;
  const oh = digits(b, i, 2);
  const om = digits(b, i + 3, 2);
  if (oh === undefined || om === undefined || oh > 23 || om > 59) return false;
  if (second !== 60) return true;
  // A leap second is 23:59:60 in UTC.
  const dir = sign === 0x2b ? -1 : 1;
  let h = hour + dir * oh;
  let m = minute + dir * om;
  h += Math.trunc(m / 60);
  m %= 60;
  if (m < 0) {
    m += 60;
    h -= 1;
  }
  h = (((h + 24) % 24) + 24) % 24;
  return h === 23 && m === 59;
}

export function dateTime(s: string): boolean {
  const t = s.search(/[Tt]/);
  return t >= 0 && date(s.slice(0, t)) && time(s.slice(t + 1));
}

export function duration(s: string): boolean {
  const b = utf8.encode(s);
  const len = b.length;
  if (len < 2 || b[0] !== 0x50) return false;
  const dateUnits = "YMWD";
  const timeUnits = "HMS";
  let i = 1;
  let component = false;
  let inTime = false;
  let lastDate = 0;
  let lastTime = 0;
  let weeks = false;
  let timeComponent = false;
  let seen = 0;
  while (i < len) {
    if (b[i] === 0x54) {
      if (inTime || weeks) return false;
      inTime = true;
      i++;
      continue;
    }
    const start = i;
    while (i < len && isDigit(b[i])) i++;
    if (i === start || i === len) return false;
    const unit = String.fromCharCode(b[i]);
    if (!inTime) {
      const idx = dateUnits.indexOf(unit);
      if (idx < 0 || b[i] > 0x7f) return false;
      if (unit === "W") {
        if (component) return false;
        weeks = true;
      } else if (weeks) {
        return false;
      }
      if (idx < lastDate || (seen & (1 << idx)) !== 0) return false;
      seen |= 1 << idx;
      lastDate = idx;
    } else {
      const idx = timeUnits.indexOf(unit);
      if (idx < 0 || b[i] > 0x7f) return false;
      if (idx < lastTime || (seen & (1 << (idx + 4))) !== 0) return false;
      seen |= 1 << (idx + 4);
      lastTime = idx;
      timeComponent = true;
    }
    component = true;
    i++;
  }
  if (!component || (inTime && !timeComponent)) return false;
  if (seen & 1 && seen & 8 && !(seen & 2)) return false;
  if (seen & 16 && seen & 64 && !(seen & 32)) return false;
  return true;
}

export function uuid(s: string): boolean {
  return /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(s);
}

export function ipv4(s: string): boolean {
  const parts = s.split(".");
  return (
    parts.length === 4 &&
    parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)
  );
}

export function ipv6(s: string): boolean {
  let text = s;
  let tail = 0;
  const lastColon = text.lastIndexOf(":");
  if (lastColon >= 0 && text.slice(lastColon + 1).includes(".")) {
    if (!ipv4(text.slice(lastColon + 1))) return false;
    text = text.slice(0, lastColon + 1) + "0:0";
    tail = 0;
  }
  void tail;
  const halves = text.split("::");
  if (halves.length > 2) return false;
  const groups = (half: string) => (half === "" ? [] : half.split(":"));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  if (![...head, ...rest].every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  const count = head.length + rest.length;
  return halves.length === 2 ? count <= 7 : count === 8;
}

const HOSTNAME_CHAR = (b: number) => isAlnum(b) || b === 0x2d;

function asciiHostname(s: string): boolean {
  const b = utf8.encode(s);
  const len = b.length;
  if (len === 0 || len > 253 || b[len - 1] === 0x2e) return false;
  const label = (from: number, to: number) =>
    to > from && to - from <= 63 && b[from] !== 0x2d && b[to - 1] !== 0x2d;
  let start = 0;
  for (let i = 0; i < len; i++) {
    if (b[i] === 0x2e) {
      if (!label(start, i)) return false;
      start = i + 1;
    } else if (!HOSTNAME_CHAR(b[i])) {
      return false;
    }
  }
  return label(start, len);
}

function punycode(input: string): string | undefined {
  const BASE = 36, TMIN = 1, TMAX = 26, SKEW = 38, DAMP = 700;
  const dash = input.lastIndexOf("-");
  const basic = dash > 0 ? input.slice(0, dash) : "";
  const encoded = dash > 0 ? input.slice(dash + 1) : input;
  const output = [...basic].map((c) => c.codePointAt(0)!);
  const digit = (c: number) =>
    c >= 0x30 && c <= 0x39 ? c - 0x30 + 26 : c >= 0x41 && c <= 0x5a ? c - 0x41 : c >= 0x61 && c <= 0x7a ? c - 0x61 : undefined;
  const adapt = (delta: number, count: number, first: boolean) => {
    delta = Math.floor(delta / (first ? DAMP : 2));
    delta += Math.floor(delta / count);
    let k = 0;
    while (delta > ((BASE - TMIN) * TMAX) / 2) {
      delta = Math.floor(delta / (BASE - TMIN));
      k += BASE;
    }
    return k + Math.floor(((BASE - TMIN + 1) * delta) / (delta + SKEW));
  };
  const U32 = 2 ** 32;
  let n = 128;
  let index = 0;
  let bias = 72;
  let pos = 0;
  while (pos < encoded.length) {
    const previous = index;
    let weight = 1;
    for (let k = BASE; ; k += BASE) {
      if (pos >= encoded.length) return undefined;
      const d = digit(encoded.charCodeAt(pos++));
      if (d === undefined) return undefined;
      index += d * weight;
      if (d * weight >= U32 || index >= U32) return undefined;
      const t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
      if (d < t) break;
      weight *= BASE - t;
      if (weight >= U32) return undefined;
    }
    const count = output.length + 1;
    bias = adapt(index - previous, count, previous === 0);
    n += Math.floor(index / count);
    if (n >= U32 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return undefined;
    index %= count;
    output.splice(index, 0, n);
    index++;
  }
  return String.fromCodePoint(...output);
}

const VIRAMA = new Set([
  0x094d, 0x09cd, 0x0a4d, 0x0acd, 0x0b4d, 0x0bcd, 0x0c4d, 0x0ccd, 0x0d4d, 0x0dca, 0x0e3a, 0x0f84,
  0x1039, 0x1714, 0x1734, 0x17d2, 0x1a60, 0x1b44, 0x1baa, 0x1bf2, 0x1bf3, 0x2d7f, 0xa806, 0xa8c4,
  0xa953, 0xabed, 0x10a3f, 0x11046, 0x1107f, 0x110b9, 0x11133, 0x111c0, 0x11235, 0x112ea, 0x1134d,
  0x11442, 0x114c2, 0x115bf, 0x1163f, 0x116b6, 0x1172b, 0x11839, 0x119e0, 0x11a34, 0x11a47, 0x11a99,
  0x11c3f, 0x11d44, 0x11d45, 0x11d97,
]);
const PVALID = /^[\p{Lu}\p{Ll}\p{Lt}\p{Lm}\p{Lo}\p{Mn}\p{Mc}\p{Nd}]$/u;
const MARK = /^[\p{Mc}\p{Mn}\p{Me}]$/u;

function unicodeLabel(label: string): boolean {
  const cps = [...label].map((c) => c.codePointAt(0)!);
  if (cps.length > 0 && MARK.test(String.fromCodePoint(cps[0]))) return false;
  let katakanaDot = false;
  let kana = false;
  let arabic = false;
  let extended = false;
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i];
    const prev = i > 0 ? cps[i - 1] : undefined;
    const next = i + 1 < cps.length ? cps[i + 1] : undefined;
    if (c === 0x200d && !(prev !== undefined && VIRAMA.has(prev))) return false;
    if (c === 0x00b7 && (prev !== 0x6c || next !== 0x6c)) return false;
    if (c === 0x0375 && !(next !== undefined && next >= 0x0370 && next <= 0x03ff)) return false;
    if ((c === 0x05f3 || c === 0x05f4) && !(prev !== undefined && prev >= 0x0590 && prev <= 0x05ff)) {
      return false;
    }
    if (c === 0x30fb) katakanaDot = true;
    else if ((c >= 0x3040 && c <= 0x30ff) || (c >= 0x4e00 && c <= 0x9fff)) kana = true;
    else if (c >= 0x0660 && c <= 0x0669) arabic = true;
    else if (c >= 0x06f0 && c <= 0x06f9) extended = true;
    else if ([0x0640, 0x07fa, 0x302e, 0x302f, 0x3031, 0x3032, 0x3033, 0x3034, 0x3035, 0x303b].includes(c)) {
      return false;
    } else if (
      [0x200c, 0x200d, 0x00b7, 0x0375, 0x05f3, 0x05f4, 0x06fd, 0x06fe, 0x0f0b, 0x3007].includes(c)
    ) {
      // PVALID exceptions.
    } else if (c > 0x7f && !PVALID.test(String.fromCodePoint(c))) {
      return false;
    }
  }
  return !((katakanaDot && !kana) || (arabic && extended));
}

export function hostname(s: string): boolean {
  if (!asciiHostname(s)) return false;
  for (const label of s.split(".")) {
    const ace = label.length >= 4 && label.startsWith("xn--");
    if (label.length >= 4 && label[2] === "-" && label[3] === "-" && !ace) return false;
    if (ace) {
      const decoded = punycode(label.slice(4));
      if (decoded === undefined || !unicodeLabel(decoded)) return false;
    }
  }
  return true;
}

/** `email_address`'s test of a non-ASCII character: its code point read as UTF-8 bytes. */
function utf8NonAscii(cp: number): boolean {
  const b0 = (cp >>> 24) & 0xff, b1 = (cp >>> 16) & 0xff, b2 = (cp >>> 8) & 0xff, b3 = cp & 0xff;
  const tail = (b: number) => b >= 0x80 && b <= 0xbf;
  if (b0 === 0 && b1 === 0 && b2 >= 0xc2 && b2 <= 0xdf && tail(b3)) return true;
  if (b0 === 0 && b1 === 0xe0 && b2 >= 0xa0 && b2 <= 0xbf && tail(b3)) return true;
  if (b0 === 0 && b1 >= 0xe1 && b1 <= 0xec && tail(b2) && tail(b3)) return true;
  if (b0 === 0 && b1 === 0xed && b2 >= 0x80 && b2 <= 0x9f && tail(b3)) return true;
  if (b0 === 0 && b1 >= 0xee && b1 <= 0xef && tail(b2) && tail(b3)) return true;
  if (b0 === 0xf0 && b1 >= 0x90 && b1 <= 0xbf && tail(b2) && tail(b3)) return true;
  if (b0 >= 0xf1 && b0 <= 0xf3 && tail(b1) && tail(b2) && tail(b3)) return true;
  if (b0 === 0xf4 && b1 >= 0x80 && b1 <= 0x8f && tail(b2) && tail(b3)) return true;
  return false;
}

const ALNUM = /^[\p{Alphabetic}\p{N}]$/u;
const alnum = (c: string) => ALNUM.test(c);
const atext = (c: string) =>
  alnum(c) || "!#$%&'*+-/=?^_`{|}~".includes(c) || utf8NonAscii(c.codePointAt(0)!);
const atom = (s: string) => s.length > 0 && [...s].every(atext);
const bytes = (s: string) => utf8.encode(s).length;

function localPart(part: string): boolean {
  if (part.length === 0 || bytes(part) > 64) return false;
  if (part.startsWith('"') && part.endsWith('"')) {
    if (bytes(part) <= 2) return false;
    const chars = [...part.slice(1, -1)];
    for (let i = 0; i < chars.length; i++) {
      const cp = chars[i].codePointAt(0)!;
      if (chars[i] === "\\") {
        const next = chars[++i];
        if (next === undefined || !(next.codePointAt(0)! >= 0x21 && next.codePointAt(0)! <= 0x7e)) {
          return false;
        }
      } else if (
        !(cp === 0x20 || cp === 0x09 || cp === 0x21 || (cp >= 0x23 && cp <= 0x5b) || (cp >= 0x5d && cp <= 0x7e) || utf8NonAscii(cp))
      ) {
        return false;
      }
    }
    return true;
  }
  return part.split(".").every(atom);
}

function domainPart(part: string): boolean {
  if (part.length === 0 || bytes(part) > 254) return false;
  if (part.startsWith("[") && part.endsWith("]")) {
    return [...part.slice(1, -1)].every((c) => {
      const cp = c.codePointAt(0)!;
      return (cp >= 0x21 && cp <= 0x5a) || (cp >= 0x5e && cp <= 0x7e) || utf8NonAscii(cp);
    });
  }
  return part.split(".").every((sub) => {
    const chars = [...sub];
    return (
      chars.length > 0 && alnum(chars[0]) && alnum(chars[chars.length - 1]) && bytes(sub) <= 63 && atom(sub)
    );
  });
}

/** `email_address`'s split: an optional `display <address>`, then the last `@`. */
function emailParts(text: string): [string, string, string] | undefined {
  let display = "";
  let email = text;
  const sep = text.lastIndexOf(" <");
  if (sep >= 0) {
    const right = text.slice(sep + 2).trim();
    if (!right.endsWith(">")) return undefined;
    email = right.slice(0, -1);
    display = text.slice(0, sep).trim();
  }
  const at = email.lastIndexOf("@");
  if (at < 0) return undefined;
  return [email.slice(0, at), email.slice(at + 1), display];
}

export function email(s: string): boolean {
  const text = s.startsWith('""@') ? `"a"@${s.slice(3)}` : s;
  const parts = emailParts(text);
  if (parts === undefined) return false;
  const [local, domain, display] = parts;
  if (display === "" && local.startsWith("<")) return false;
  if (!localPart(local) || !domainPart(domain)) return false;
  if (!/^[\x00-\x7f]*$/.test(local)) return false;
  if (domain.startsWith("[") && domain.endsWith("]")) {
    const inner = domain.slice(1, -1);
    return inner.slice(0, 5).toLowerCase() === "ipv6:" ? ipv6(inner.slice(5)) : ipv4(inner);
  }
  return hostname(domain);
}

// RFC 3986 and 3987: URIs and IRIs, and references to them.
const UNRESERVED_SUB = (c: number) => isAlnum(c) || "-._~!$&'()*+,;=".includes(String.fromCharCode(c));

function ucschar(cp: number): boolean {
  return (
    (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xf900 && cp <= 0xfdcf) || (cp >= 0xfdf0 && cp <= 0xffef) ||
    (cp >= 0x10000 && cp <= 0xefffd && (cp & 0xffff) <= 0xfffd)
  );
}
function iprivate(cp: number): boolean {
  return (cp >= 0xe000 && cp <= 0xf8ff) || (cp >= 0xf0000 && cp <= 0xffffd) || (cp >= 0x100000 && cp <= 0x10fffd);
}

/** The end of the run from `at` of code points `ok` accepts, percent-encodings included. */
function scan(cps: number[], at: number, ok: (c: number) => boolean): number | undefined {
  while (at < cps.length) {
    const c = cps[at];
    if (ok(c)) at++;
    else if (c === 0x25) {
      if (!(at + 2 < cps.length && isHex(cps[at + 1]) && isHex(cps[at + 2]))) return undefined;
      at += 3;
    } else break;
  }
  return at;
}

function reference(s: string, absolute: boolean, iri: boolean): boolean {
  const cps = [...s].map((c) => c.codePointAt(0)!);
  const wide = (c: number) => iri && ucschar(c);
  const regName = (c: number) => UNRESERVED_SUB(c) || wide(c);
  const pchar = (c: number) => regName(c) || c === 0x3a || c === 0x40;
  const path = (c: number) => pchar(c) || c === 0x2f;
  const query = (c: number) => path(c) || c === 0x3f || (iri && iprivate(c));
  const fragment = (c: number) => path(c) || c === 0x3f;
  let at = 0;
  let scheme = false;
  if (cps.length > 0 && isAlpha(cps[0])) {
    let i = 1;
    while (i < cps.length && (isAlnum(cps[i]) || cps[i] === 0x2b || cps[i] === 0x2d || cps[i] === 0x2e)) i++;
    if (cps[i] === 0x3a) {
      scheme = true;
      at = i + 1;
    }
  }
  if (absolute && !scheme) return false;
  if (cps[at] === 0x2f && cps[at + 1] === 0x2f) {
    at += 2;
    // userinfo@
    const userEnd = scan(cps, at, (c) => regName(c) || c === 0x3a);
    if (userEnd === undefined) return false;
    if (cps[userEnd] === 0x40) at = userEnd + 1;
    if (cps[at] === 0x5b) {
      const close = cps.indexOf(0x5d, at);
      if (close < 0) return false;
      const literal = String.fromCodePoint(...cps.slice(at + 1, close));
      const future = /^[vV][0-9a-fA-F]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+$/.test(literal);
      if (!future && !ipv6(literal)) return false;
      at = close + 1;
    } else {
      const hostEnd = scan(cps, at, regName);
      if (hostEnd === undefined) return false;
      at = hostEnd;
    }
    if (cps[at] === 0x3a) {
      at++;
      while (at < cps.length && isDigit(cps[at])) at++;
    }
    if (at < cps.length && ![0x2f, 0x3f, 0x23].includes(cps[at])) return false;
  } else if (!scheme) {
    // `a:b` with an invalid scheme would read as one.
    const first = cps.findIndex((c) => c === 0x3a || c === 0x2f || c === 0x3f || c === 0x23);
    if (first >= 0 && cps[first] === 0x3a) return false;
  }
  const pathEnd = scan(cps, at, path);
  if (pathEnd === undefined) return false;
  at = pathEnd;
  if (cps[at] === 0x3f) {
    const end = scan(cps, at + 1, query);
    if (end === undefined) return false;
    at = end;
  }
  if (cps[at] === 0x23) {
    const end = scan(cps, at + 1, fragment);
    if (end === undefined) return false;
    at = end;
  }
  return at === cps.length;
}

export const uri = (s: string) => reference(s, true, false);
export const uriReference = (s: string) => reference(s, false, false);
export const iri = (s: string) => reference(s, true, true);
export const iriReference = (s: string) => reference(s, false, true);

export function uriTemplate(s: string): boolean {
  const b = utf8.encode(s);
  const len = b.length;
  let i = 0;
  const varchar = () => {
    const start = i;
    while (i < len) {
      if (isAlnum(b[i]) || b[i] === 0x5f) i++;
      else if (b[i] === 0x25) {
        if (i + 2 >= len || !isHex(b[i + 1]) || !isHex(b[i + 2])) return false;
        i += 3;
      } else break;
    }
    return i > start;
  };
  const varname = () => {
    if (!varchar()) return false;
    while (i < len) {
      if (b[i] === 0x2e) {
        i++;
        if (!varchar()) return false;
      } else if (isAlnum(b[i]) || b[i] === 0x5f || b[i] === 0x25) {
        if (!varchar()) return false;
      } else break;
    }
    return true;
  };
  const varspec = () => {
    if (!varname()) return false;
    if (i < len && b[i] === 0x3a) {
      i++;
      if (i >= len || !isDigit(b[i]) || b[i] === 0x30) return false;
      i++;
      let n = 1;
      while (i < len && isDigit(b[i]) && n < 4) {
        i++;
        n++;
      }
    } else if (i < len && b[i] === 0x2a) {
      i++;
    }
    return true;
  };
  while (i < len) {
    if (b[i] === 0x7b) {
      i++;
      if (i >= len) return false;
      if ("+#./;?&=,!@|".includes(String.fromCharCode(b[i]))) {
        i++;
        if (i >= len) return false;
      }
      if (!varspec()) return false;
      while (i < len && b[i] === 0x2c) {
        i++;
        if (!varspec()) return false;
      }
      if (i >= len || b[i] !== 0x7d) return false;
      i++;
    } else if (b[i] === 0x7d) {
      return false;
    } else if (b[i] === 0x25) {
      if (i + 2 >= len || !isHex(b[i + 1]) || !isHex(b[i + 2])) return false;
      i += 3;
    } else if (b[i] <= 0x20 || '"<>\\^`{|}'.includes(String.fromCharCode(b[i])) || b[i] === 0x7f) {
      return false;
    } else {
      i++;
    }
  }
  return true;
}

function pointerTokens(cps: string[]): boolean {
  let escaped = false;
  for (const c of cps) {
    if (c === "/" && !escaped) continue;
    if (c === "~" && !escaped) escaped = true;
    else if ((c === "0" || c === "1") && escaped) escaped = false;
    else if (escaped) return false;
  }
  return !escaped;
}

export function jsonPointer(s: string): boolean {
  if (s === "") return true;
  const cps = [...s];
  return cps[0] === "/" && pointerTokens(cps.slice(1));
}

export function relativeJsonPointer(s: string): boolean {
  const m = /^(0|[1-9][0-9]*)(.*)$/su.exec(s);
  if (m === null) return false;
  const rest = m[2];
  if (rest === "" || rest === "#") return true;
  return rest.startsWith("/") && pointerTokens([...rest.slice(1)]);
}

export function regex(s: string): boolean {
  try {
    new RegExp(s, "u");
    return true;
  } catch {
    return false;
  }
}
