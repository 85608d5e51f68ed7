// TypeScript programs for the type-stripping table (test/exposure/strip-types.test.ts) and its benchmark
// (scripts/bench-code-mode.ts). Each is the body of execute_code's async function, as a model would write it.
// `value`: what the program returns once TypeScript's own emit runs (the test checks that against tsc).
// `refused`: TypeScript rejects it in a function body; the refusal must name the construct (`names`).

export interface StripCase {
  name: string;
  code: string;
  value?: unknown;
  refused?: { names: string };
}

export const STRIP_CASES: StripCase[] = [
  {
    name: 'annotations on variables, parameters and returns',
    code: 'const n: number = 2;\nlet s: string | undefined;\nfunction f(a: number, b?: string): number { return a + (b ? 1 : 0); }\nreturn [n, s ?? null, f(1), f(1, "x")];',
    value: [2, null, 1, 2],
  },
  {
    name: 'interfaces',
    code: 'interface Row { id: string; n?: number }\ninterface Wide extends Row { [k: string]: unknown }\nconst rows: Row[] = [{ id: "a" }];\nconst w: Wide = { id: "b", x: 1 };\nreturn [rows[0]!.id, w.id];',
    value: ['a', 'b'],
  },
  {
    name: 'generic type aliases, tuples with labels, readonly',
    code: 'type Pair<A, B = string> = readonly [first: A, second?: B];\nconst p: Pair<number> = [1];\nreturn p.length;',
    value: 1,
  },
  {
    name: 'mapped, conditional and template literal types, keyof typeof',
    code: 'const o = { a: 1, b: 2 };\ntype K = keyof typeof o;\ntype U<T> = T extends "a" ? `is-${T}` : never;\ntype M = { [P in K]?: U<P> };\nconst m: M = { a: "is-a" };\nreturn m.a;',
    value: 'is-a',
  },
  {
    name: 'generic function declarations and explicit type arguments',
    code: 'function first<T>(xs: readonly T[]): T | undefined { return xs[0]; }\nreturn first<number>([3, 4]);',
    value: 3,
  },
  {
    name: 'generic arrow functions with a trailing comma',
    code: 'const id = <T,>(x: T): T => x;\nreturn id("y");',
    value: 'y',
  },
  {
    name: 'generic arrow functions with a constraint',
    code: 'const keys = <T extends object>(o: T) => Object.keys(o) as Array<keyof T>;\nreturn keys({ a: 1, b: 2 });',
    value: ['a', 'b'],
  },
  {
    name: 'async generic arrows',
    code: 'const h = async <T,>(x: T): Promise<T> => x;\nreturn await h(2);',
    value: 2,
  },
  {
    name: 'type arguments on new and calls',
    code: 'const m = new Map<string, number[]>();\nm.set("a", [1]);\nconst s = new Set<number>([1, 1, 2]);\nreturn [Array.from(m.keys()), s.size, Array.of<number>(7)];',
    value: [['a'], 2, [7]],
  },
  {
    name: 'instantiation expressions',
    code: 'const ErrorMap = Map<string, Error>;\nreturn new ErrorMap().size;',
    value: 0,
  },
  {
    name: 'as, angle-bracket assertions and non-null assertions',
    code: 'const v = <number>JSON.parse("2");\nconst w = JSON.parse("3") as number;\nconst xs: number[] = [5];\nreturn v + w + xs[0]! + xs.at(0)!;',
    value: 15,
  },
  {
    name: 'as const and satisfies',
    code: 'const c = { a: 1, list: ["x"] } as const satisfies Record<string, unknown>;\nconst d = ({ n: 2 }) satisfies { n: number };\nreturn [c.a, c.list[0], d.n];',
    value: [1, 'x', 2],
  },
  {
    name: 'a parenthesized value before : in a conditional whose alternate is an arrow',
    code: 'const a = true, b = 1, d = 2;\nconst r = a ? (b) : c => d;\nconst s = !a ? (b) : (c: number) => c * d;\nreturn [r, typeof s === "function" ? s(4) : s];',
    value: [1, 8],
  },
  {
    name: 'a conditional whose consequent is an arrow with a return type',
    code: 'const on = true;\nconst f = on ? (x: number): number => x + 1 : null;\nreturn f ? f(1) : 0;',
    value: 2,
  },
  {
    name: 'numeric enums with reverse mapping',
    code: 'enum Color { Red, Green = 5, Blue }\nreturn [Color.Red, Color.Blue, Color[5]];',
    value: [0, 6, 'Green'],
  },
  {
    name: 'string enums',
    code: 'enum Dir { Up = "UP", Down = "DOWN" }\nreturn Object.values(Dir);',
    value: ['UP', 'DOWN'],
  },
  {
    name: 'const enums with computed members',
    code: 'const enum K { A = 1, B = A << 2, C = B | 1 }\nreturn [K.B, K.C];',
    value: [4, 5],
  },
  {
    name: 'abstract classes and abstract members',
    code: 'abstract class Shape { abstract area(): number; describe(): string { return "area " + this.area(); } }\nclass Sq extends Shape { constructor(private s: number) { super(); } area() { return this.s ** 2; } }\nreturn new Sq(3).describe();',
    value: 'area 9',
  },
  {
    name: 'parameter properties with every modifier',
    code: 'class P {\n  constructor(public readonly x: number, private y = 2, protected z?: number, readonly w: number = 4) {}\n  sum() { return this.x + this.y + (this.z ?? 0) + this.w; }\n}\nreturn [new P(1).sum(), Object.keys(new P(1))];',
    value: [7, ['x', 'y', 'z', 'w']],
  },
  {
    name: 'function overloads',
    code: 'function f(x: string): string;\nfunction f(x: number): number;\nfunction f(x: any): any { return typeof x === "string" ? x + "!" : x * 2; }\nreturn [f("a"), f(2)];',
    value: ['a!', 4],
  },
  {
    name: 'method overloads, override, static readonly and private methods',
    code: 'class A { m(): number { return 1; } }\nclass B extends A {\n  static readonly k: number = 3;\n  override m(): number;\n  override m(x?: number): number { return (x ?? B.k) + this.#p(); }\n  #p(): number { return 10; }\n}\nreturn new B().m();',
    value: 13,
  },
  {
    name: 'implements, optional fields, definite assignment and index signatures',
    code: 'interface I { n: number }\nclass C implements I {\n  n!: number;\n  label?: string;\n  [key: string]: unknown;\n  constructor() { this.n = 1; }\n}\nreturn [new C().n, Object.keys(new C())];',
    value: [1, ['n', 'label']],
  },
  {
    name: 'declare fields are not emitted',
    code: 'class A { declare x: number; y = 1; }\nreturn Object.keys(new A());',
    value: ['y'],
  },
  {
    name: 'auto-accessor fields',
    code: 'class A { accessor x = 1; static accessor count: number = 0; }\nconst a = new A();\na.x = 5;\nA.count++;\nreturn [a.x, A.count, Object.keys(a)];',
    value: [5, 1, []],
  },
  {
    name: 'generic classes with defaults and constraints',
    code: 'class Box<T extends object = { v: number }> { constructor(public v: T) {} get(): T { return this.v; } }\nreturn new Box({ v: 3 }).get().v;',
    value: 3,
  },
  {
    name: 'this parameters, type predicates and assertion functions',
    code: 'function n(this: { n: number }) { return this.n; }\nfunction isS(x: unknown): x is string { return typeof x === "string"; }\nfunction ok(c: unknown, m?: string): asserts c { if (!c) throw new Error(m); }\nok(true);\nreturn [n.call({ n: 4 }), isS("a"), isS(1)];',
    value: [4, true, false],
  },
  {
    name: 'typed destructuring, defaults and rest parameters',
    code: 'const g = ({ a, b = 2 }: { a: number; b?: number }, ...rest: number[]): number => a + b + rest.length;\nreturn g({ a: 1 }, 9, 9);',
    value: 5,
  },
  {
    name: 'catch clause annotations and unknown',
    code: 'try { throw new Error("boom"); } catch (e: unknown) { return (e as Error).message; }',
    value: 'boom',
  },
  {
    name: 'object literal methods with type parameters and optional chaining',
    code: 'const o = { m<T>(x: T): T { return x; }, n: undefined as undefined | { k?: number } };\nreturn [o.m<number>(1), o.n?.k ?? "none"];',
    value: [1, 'none'],
  },
  {
    name: 'typed async generators with for await',
    code: 'async function* gen(): AsyncGenerator<number, void, undefined> { yield 1; yield 2; }\nlet t = 0;\nfor await (const x of gen()) t += x;\nreturn t;',
    value: 3,
  },
  {
    // tsc flags `declare` in a function body (TS1184) yet emits the program without it; so does the stripping.
    name: 'declare statements',
    code: 'declare const g: number;\ndeclare function h(): void;\nreturn typeof g;',
    value: 'undefined',
  },
  {
    name: 'namespaces',
    code: 'namespace N { export const x = 1; export function f() { return x + 1; } }\nreturn N.f();',
    refused: { names: 'namespace' },
  },
  {
    name: 'type-only imports',
    code: 'import type { Project } from "openai-mcp-kit/sdk";\nconst p: Project | null = null;\nreturn p;',
    refused: { names: 'import' },
  },
  {
    name: 'type-only exports',
    code: 'export type Id = string;\nconst id: Id = "a";\nreturn id;',
    refused: { names: 'export' },
  },
  {
    name: 'import = require',
    code: 'import fs = require("fs");\nreturn typeof fs;',
    refused: { names: 'import' },
  },
];
