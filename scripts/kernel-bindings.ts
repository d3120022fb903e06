/**
 * The training kernels' bindings, generated from their C sources (src/kernels/*.c): every
 * `EXPORT(name)` and the prototype after it give the kernel's name, file, doc comment and
 * parameters (names and C types, in order). Two renderings of the same parse:
 *
 * - src/kernels/bindings.ts: one named-argument interface per kernel (`{ x, dy, dw, N, H, W, … }`,
 *   so that the glue cannot swap two sizes silently), `bindKernels` over the wasm module's
 *   positional exports and `bindNativeKernels` over the Node-API addon's (which take the memory's
 *   ArrayBuffer first), and `KERNEL_PARAMS`, the parameter list the tests compare the module with;
 * - native/bindings.h: the addon's table type (one function pointer per kernel, with the C
 *   prototype), the initialiser each instruction-set object fills it with, and the Node-API
 *   wrapper of each kernel that reads its arguments by the parameters' types.
 *
 * Written by `npm run build:wasm`, checked by `npm run build:wasm -- --check` and
 * test/kernels/bindings.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as prettier from 'prettier';

/** Where the kernels' C sources are. */
export const KERNEL_DIR = 'src/kernels';
/** The generated TypeScript bindings. */
export const BINDINGS_TS = 'src/kernels/bindings.ts';
/** The generated C header of the native addon. */
export const BINDINGS_H = 'native/bindings.h';

/** A C parameter type the kernels use: pointers into the tensors' memory, sizes, scalars. */
export type CType = 'f32 *' | 'const f32 *' | 'int *' | 'const int *' | 'double *' | 'int' | 'f32';

/** One parameter of a kernel. */
export interface KernelParam {
  readonly name: string;
  readonly type: CType;
}

/** One exported kernel, as its C source declares it. */
export interface KernelDecl {
  readonly name: string;
  /** Its source file, relative to {@link KERNEL_DIR}. */
  readonly file: string;
  /** The `//` comment above its EXPORT line, without the slashes. */
  readonly doc: string;
  readonly params: readonly KernelParam[];
}

const TYPES: readonly CType[] = ['f32 *', 'const f32 *', 'int *', 'const int *', 'double *', 'int', 'f32'];

/** The kernel sources, sorted by name: `{ file, text }`. */
export function readKernelSources(dir = KERNEL_DIR): { file: string; text: string }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.c'))
    .sort()
    .map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') }));
}

/** Every EXPORT of the sources, in file order; throws on a prototype it cannot read. */
export function parseKernels(sources: readonly { file: string; text: string }[]): KernelDecl[] {
  const out: KernelDecl[] = [];
  for (const { file, text } of sources) {
    const lines = text.split('\n');
    const re = /^EXPORT\((\w+)\)\s*\n\s*void\s+(\w+)\s*\(([^)]*)\)\s*\{/gm;
    for (const m of text.matchAll(re)) {
      const [, name, fn, list] = m as unknown as [string, string, string, string];
      if (name !== fn) throw new Error(`${file}: EXPORT(${name}) is followed by function ${fn}`);
      const params = list.split(',').map((p) => {
        const pm = /^\s*(const\s+)?(f32|int|double)\s*(\*)?\s*(\w+)\s*$/.exec(p.replace(/\s+/g, ' '));
        if (pm === null) throw new Error(`${file}: ${name}: cannot read parameter '${p.trim()}'`);
        const type = `${pm[1] === undefined ? '' : 'const '}${pm[2] as string}${pm[3] === undefined ? '' : ' *'}` as CType;
        if (!TYPES.includes(type)) throw new Error(`${file}: ${name}: parameter type '${type}' is not one of ${TYPES.join(', ')}`);
        return { name: pm[4] as string, type };
      });
      const names = params.map((p) => p.name);
      if (new Set(names).size !== names.length) throw new Error(`${file}: ${name}: repeated parameter name`);
      // The comment lines right above EXPORT (a #define between them is skipped).
      let at = text.slice(0, m.index).split('\n').length - 2;
      const doc: string[] = [];
      while (at >= 0) {
        const line = lines[at] as string;
        if (line.startsWith('//')) doc.unshift(line.replace(/^\/\/ ?/, ''));
        else if (!line.startsWith('#define')) break;
        at--;
      }
      out.push({ name, file, doc: doc.join('\n'), params });
    }
  }
  const seen = new Set<string>();
  for (const k of out) {
    if (seen.has(k.name)) throw new Error(`kernel ${k.name} is exported twice`);
    seen.add(k.name);
  }
  return out;
}

const isPointer = (t: CType): boolean => t.endsWith('*');
const argsType = (name: string): string => `${name[0]?.toUpperCase() ?? ''}${name.slice(1)}Args`;
const tsdoc = (text: string, indent: string): string =>
  `${indent}/**\n${text
    .replace(/\*\//g, '*\\/')
    .split('\n')
    .map((l) => `${indent} *${l === '' ? '' : ` ${l}`}`)
    .join('\n')}\n${indent} */\n`;

/** src/kernels/bindings.ts for these kernels (prettier-formatted). */
export async function renderBindingsTs(kernels: readonly KernelDecl[]): Promise<string> {
  let s = `// Generated by scripts/build-wasm.ts (scripts/kernel-bindings.ts) from src/kernels/*.c; do not edit.\n`;
  s += `/**\n * The bindings of the training kernels (src/kernels/*.c): one named-argument interface per kernel,\n`;
  s += ` * generated from the C prototypes, so that a caller names every size it passes (H and W cannot\n`;
  s += ` * be swapped silently) and a parameter added in C fails to compile until the glue passes it.\n`;
  s += ` * Pointers are byte offsets in the memory the kernels run on (the tfjs wasm backend's); 0 is a\n`;
  s += ` * null pointer (an optional input left out).\n */\n\n`;
  for (const k of kernels) {
    s += `/** The arguments of \`${k.name}\` (src/kernels/${k.file}). */\nexport interface ${argsType(k.name)} {\n`;
    for (const p of k.params)
      s += `  /** \`${p.type}${isPointer(p.type) ? '' : ' '}${p.name}\`${isPointer(p.type) ? ': a byte offset' : ''} */\n  readonly ${p.name}: number;\n`;
    s += `}\n\n`;
  }
  s += `/** Every kernel, with named arguments. */\nexport interface Kernels {\n`;
  for (const k of kernels)
    s += `${tsdoc(k.doc === '' ? `${k.name} (src/kernels/${k.file}).` : k.doc, '  ')}  ${k.name}(args: ${argsType(k.name)}): void;\n`;
  s += `}\n\n/** A kernel's name. */\nexport type KernelName = keyof Kernels;\n\n`;
  s += `/** Each kernel's C parameters in order, \`[name, type]\`, and its source file. */\nexport const KERNEL_PARAMS = {\n`;
  for (const k of kernels)
    s += `  ${k.name}: { file: '${k.file}', params: [${k.params.map((p) => `['${p.name}', '${p.type}']`).join(', ')}] },\n`;
  s += `} as const satisfies Record<KernelName, { file: string; params: readonly (readonly [string, string])[] }>;\n\n`;
  s += `/** A build's kernels with positional arguments in C order: the wasm module's exports. */\n`;
  s += `export type PositionalKernels = { readonly [K in KernelName]: (...args: number[]) => unknown };\n\n`;
  s += `/** The native addon's kernels: the memory's ArrayBuffer, then the positional arguments. */\n`;
  s += `export type NativePositionalKernels = { readonly [K in KernelName]: (memory: ArrayBuffer, ...args: number[]) => unknown };\n\n`;
  s += `/** The named-argument kernels over positional ones (the wasm module's exports). */\n`;
  s += `export function bindKernels(k: PositionalKernels): Kernels {\n  return {\n`;
  for (const k of kernels) s += `    ${k.name}: (a) => {\n      k.${k.name}(${k.params.map((p) => `a.${p.name}`).join(', ')});\n    },\n`;
  s += `  };\n}\n\n`;
  s += `/**\n * The named-argument kernels over the native addon's, which read the memory's current\n`;
  s += ` * ArrayBuffer on every call (a growth of the memory replaces it).\n */\n`;
  s += `export function bindNativeKernels(k: NativePositionalKernels, memory: { readonly buffer: ArrayBuffer }): Kernels {\n  return {\n`;
  for (const k of kernels)
    s += `    ${k.name}: (a) => {\n      k.${k.name}(memory.buffer, ${k.params.map((p) => `a.${p.name}`).join(', ')});\n    },\n`;
  s += `  };\n}\n`;
  const options = (await prettier.resolveConfig(BINDINGS_TS)) ?? {};
  return prettier.format(s, { ...options, filepath: BINDINGS_TS });
}

/** native/bindings.h for these kernels. */
export function renderBindingsH(kernels: readonly KernelDecl[]): string {
  const proto = (k: KernelDecl): string => k.params.map((p) => `${p.type}${isPointer(p.type) ? '' : ' '}${p.name}`).join(', ');
  let s = `// Generated by scripts/build-wasm.ts (scripts/kernel-bindings.ts) from src/kernels/*.c; do not edit.\n`;
  s += `// The addon's view of the kernels: the table of one instruction-set object (KernelTable, filled\n`;
  s += `// by KERNEL_TABLE_INIT; with BLINDSPOTS_INCLUDE_KERNELS the kernel sources are included first),\n`;
  s += `// and, included again with BLINDSPOTS_WRAPPERS, the Node-API function of each kernel:\n`;
  s += `// (memory: ArrayBuffer, ...the C parameters as numbers), pointers as byte offsets into the memory\n`;
  s += `// (0: NULL), read through native/addon.c's Call and arg_* helpers.\n\n`;
  s += `#ifndef BLINDSPOTS_BINDINGS_H\n#define BLINDSPOTS_BINDINGS_H\n\n`;
  s += `#ifdef BLINDSPOTS_INCLUDE_KERNELS\n`;
  for (const file of [...new Set(kernels.map((k) => k.file))]) s += `#include "../src/kernels/${file}"\n`;
  s += `#endif\n\n`;
  s += `#define KERNEL_COUNT ${String(kernels.length)}\n\n`;
  s += `typedef struct KernelTable {\n`;
  for (const k of kernels) s += `  void (*${k.name})(${proto(k)});\n`;
  s += `} KernelTable;\n\n`;
  s += `#define KERNEL_TABLE_INIT \\\n  { ${kernels.map((k) => k.name).join(', \\\n    ')} }\n\n`;
  s += `#endif\n\n#if defined(BLINDSPOTS_WRAPPERS) && !defined(BLINDSPOTS_BINDINGS_WRAPPERS)\n#define BLINDSPOTS_BINDINGS_WRAPPERS\n\n`;
  for (const k of kernels) {
    s += `static napi_value wrap_${k.name}(napi_env env, napi_callback_info info) {\n`;
    s += `  Call c;\n  if (!call_begin(env, info, &c, ${String(k.params.length)})) return NULL;\n`;
    k.params.forEach((p, i) => {
      const at = String(i + 1);
      const read = isPointer(p.type)
        ? `(${p.type})arg_pointer(&c, ${at}, "${p.name}")`
        : p.type === 'int'
          ? `arg_int(&c, ${at}, "${p.name}")`
          : `arg_f32(&c, ${at}, "${p.name}")`;
      s += `  ${p.type}${isPointer(p.type) ? '' : ' '}${p.name} = ${read};\n`;
    });
    s += `  if (!c.ok) return NULL;\n  c.table->${k.name}(${k.params.map((p) => p.name).join(', ')});\n  return NULL;\n}\n\n`;
  }
  s += `#define KERNEL_WRAPPERS \\\n  { ${kernels.map((k) => `{"${k.name}", wrap_${k.name}}`).join(', \\\n    ')} }\n\n`;
  s += `#endif\n`;
  return s;
}
