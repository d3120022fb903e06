/**
 * A ConvNet's inference features as one kernel: the convolutions (+ inference batch norm, +
 * residual, + ReLU), option-A shortcuts and the global average pooling of a network, run by
 * plan.c's runPlan on a few images at a time, so that each activation stays in the caches instead
 * of streaming through memory layer after layer (a ResNet's 32x32x16 activation of a 256-image
 * batch is 16 MB). Each step calls the kernel the layer-by-layer path calls for it (Winograd with
 * batch norm in its output transform, or padImages + conv2dValid + batchNormApply, the shortcut,
 * spatialMean), every one computing each image on its own: the same bits as the layers one by one
 * on the same build, whatever the chunk and the intra-op threads (split by images, natively).
 */
import * as tf from '@tensorflow/tfjs';
import { WG4_BLOCK, convInfo, stride1Algorithm, stridedConvFits } from './conv.js';
import { type KernelArgs, type Kernels, type WasmBackend, type WasmKernel, instance, offset } from './wasm.js';

/** Runs a network's inference steps on `{ x, ...their tensors }` (attrs {@link InferencePlanAttrs}) -> features [N, C] (wasm only). */
export const INFERENCE_PLAN_KERNEL = 'BlindspotsInferencePlan';

/**
 * One step of a network's inference. Values are numbered: 0 is the input images, step i's output
 * is value i + 1. `convBatchNorm`: relu?(bn(conv2d(value input, filter, stride, pad)) + value
 * residual?), with the filter `filter` [KH, KW, C, F] and batch norm's `${bn}/gamma`, `/beta`,
 * `/mean` and `/variance` [F] among the kernel's inputs (layers.ts's convBatchNorm in inference);
 * `shortcut`: the option-A shortcut to `channels` (layers.ts's optionAShortcut); `mean`: the
 * global average pooling, which must be the last step (its output is the kernel's).
 */
export type InferenceStep =
  | {
      readonly op: 'convBatchNorm';
      readonly input: number;
      readonly filter: string;
      readonly bn: string;
      readonly stride: number;
      readonly pad: 'same' | 'valid' | number;
      readonly residual?: number;
      readonly relu: boolean;
    }
  | { readonly op: 'shortcut'; readonly input: number; readonly stride: number; readonly channels: number }
  | { readonly op: 'mean'; readonly input: number };

/** Attributes of {@link INFERENCE_PLAN_KERNEL}. */
export interface InferencePlanAttrs {
  readonly steps: readonly InferenceStep[];
  /** Batch norm's epsilon. */
  readonly epsilon: number;
  /** Images per chunk (default {@link planChunk}'s choice). */
  readonly chunk?: number;
}

// plan.h's layout.
const [PLAN_SELF, PLAN_STEPS, PLAN_SLOTS, PLAN_SLOT, PLAN_IN, PLAN_OUT, PLAN_PAD, PLAN_BN, PLAN_WG, PLAN_CHUNK, PLAN_WORK, PLAN_HEADER] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
] as const;
const [WINOGRAD_BN, DIRECT_BN, SHORTCUT, MEAN] = [1, 2, 3, 4] as const;
const S = {
  op: 0,
  in: 1,
  out: 2,
  res: 3,
  relu: 4,
  H: 5,
  W: 6,
  C: 7,
  F: 8,
  Ho: 9,
  Wo: 10,
  KH: 11,
  KW: 12,
  sh: 13,
  sw: 14,
  pt: 15,
  pb: 16,
  pl: 17,
  pr: 18,
  filter: 19,
  packed: 20,
  gamma: 21,
  beta: 22,
  mean: 23,
  variance: 24,
  eps: 25,
} as const;
const PLAN_STEP = 26;

/** Images per chunk for activations of `slotFloats` floats per image (at least 1): {@link inferencePlans}' chunkBytes of them. */
export function planChunk(slotFloats: number): number {
  return Math.max(1, Math.floor(inferencePlans.chunkBytes / (4 * Math.max(1, slotFloats))));
}

/**
 * Whether models run their inference through plans where they can, and the bytes of a chunk's
 * largest activation (tests and benchmarks change them to compare). 1 MB: 16 images of a
 * ResNet's 32x32x16 layers. `npx tsx bench/inference-plans.ts` (ResNet-20 `predict`, 2026-12-08):
 * chunks of 4-32 images within a few percent of each other, 1.44-1.55x the layers one by one on 1
 * and 2 threads; 64 images 1.37x on one thread and nothing on two (their activations no longer fit
 * the caches the threads share).
 *
 * @internal
 */
export const inferencePlans = { enabled: true, chunkBytes: 1 << 20 };

/** A value's shape per image [H, W, C]. */
type Shape = readonly [number, number, number];

/** A filter to transform before the run: by winograd43Filter into U, or packFilter8's panels. */
interface Transform {
  readonly kind: 'winograd' | 'pack';
  readonly filter: string;
  readonly C: number;
  readonly F: number;
  readonly T: number;
  /** Float offset of its output in the plan's buffer (after the plan's ints). */
  readonly at: number;
  readonly floats: number;
}

/**
 * A compiled plan: its steps, its ints (pointer fields still to fill), the transforms, and the
 * size of its features. `writePlan` writes it into the kernels' memory.
 *
 * @internal
 */
export interface CompiledPlan {
  readonly steps: readonly InferenceStep[];
  readonly ints: Int32Array;
  readonly transforms: readonly Transform[];
  readonly transformFloats: number;
  readonly out: number;
  /** Per step, where its filter's transform is (index into transforms), or -1. */
  readonly stepTransform: readonly number[];
}

const round16 = (n: number): number => Math.ceil(n / 16) * 16;

/**
 * `steps` compiled for input images of shape [H, W, C] with these tensor shapes, or why they
 * cannot run as a plan (the layer-by-layer path then runs). `native`: whether the layers run
 * strided convolutions through the direct kernel (the native build; false: refused). `chunk`:
 * images per chunk (default {@link planChunk}'s).
 *
 * @internal
 */
export function compilePlan(
  steps: readonly InferenceStep[],
  input: readonly [number, number, number],
  shapeOf: (name: string) => readonly number[] | undefined,
  epsilon: number,
  chunkAttr?: number,
  native = true,
): CompiledPlan | string {
  if (steps.length === 0 || steps.at(-1)?.op !== 'mean') return 'the last step must be the mean';
  const shapes: Shape[] = [input];
  const lastUse = new Array<number>(steps.length + 1).fill(-1);
  const transforms: Transform[] = [];
  const stepTransform: number[] = [];
  let transformFloats = 0;
  let [pad, bn, wg] = [0, 0, 0];
  const rows: number[][] = [];
  for (const [i, step] of steps.entries()) {
    const inShape = shapes[step.input];
    if (inShape === undefined || step.input > i) return `step ${String(i)} reads value ${String(step.input)} before it exists`;
    lastUse[step.input] = i;
    const [H, W, C] = inShape;
    const row = new Array<number>(PLAN_STEP).fill(0);
    row[S.in] = step.input;
    row[S.res] = -1;
    stepTransform.push(-1);
    if (step.op === 'mean') {
      if (i !== steps.length - 1) return 'the mean must be the last step';
      row[S.op] = MEAN;
      [row[S.H], row[S.W], row[S.C]] = [H, W, C];
      shapes.push([1, 1, C]);
    } else if (step.op === 'shortcut') {
      const Ho = Math.ceil(H / step.stride);
      const Wo = Math.ceil(W / step.stride);
      row[S.op] = SHORTCUT;
      [row[S.H], row[S.W], row[S.C], row[S.F], row[S.Ho], row[S.Wo], row[S.sh], row[S.pt]] = [
        H,
        W,
        C,
        step.channels,
        Ho,
        Wo,
        step.stride,
        Math.floor((step.channels - C) / 2),
      ];
      shapes.push([Ho, Wo, step.channels]);
    } else {
      const filterShape = shapeOf(step.filter);
      if (filterShape?.length !== 4 || filterShape[2] !== C) return `filter ${step.filter} does not fit value ${String(step.input)}`;
      const [KH, KW, , F] = filterShape as [number, number, number, number];
      for (const part of ['gamma', 'beta', 'mean', 'variance'])
        if (shapeOf(`${step.bn}/${part}`)?.join() !== String(F)) return `${step.bn}/${part} is not [${String(F)}]`;
      const info = convInfo(INFERENCE_PLAN_KERNEL, [1, H, W, C], [KH, KW, C, F], {
        strides: step.stride,
        pad: step.pad,
        dataFormat: 'NHWC',
      });
      const pads = info.padInfo;
      let op: number;
      if (step.stride === 1) {
        const algorithm = stride1Algorithm(KH, KW, C, F, pads, true);
        if (algorithm !== 'winograd43-bn' && algorithm !== 'direct') return `step ${String(i)} runs through ${algorithm}`;
        op = algorithm === 'winograd43-bn' ? WINOGRAD_BN : DIRECT_BN;
      } else {
        // The layer path's strided convolutions: the direct kernel natively, XNNPACK on the wasm
        // kernels (`native` false: a plan would not give the layers' bits there).
        if (!native || !stridedConvFits(info))
          return `step ${String(i)}: a strided convolution the layers do not run through the direct kernel`;
        op = DIRECT_BN;
      }
      const [Ho, Wo] = [info.outHeight, info.outWidth];
      if (step.residual !== undefined) {
        if (step.residual === 0) return `step ${String(i)}: a residual of the input images`;
        const r = shapes[step.residual];
        if (r?.join() !== [Ho, Wo, F].join() || step.residual > i)
          return `step ${String(i)}: residual ${String(step.residual)} of another shape`;
        lastUse[step.residual] = i;
        row[S.res] = step.residual;
      }
      row[S.op] = op;
      [row[S.relu], row[S.H], row[S.W], row[S.C], row[S.F], row[S.Ho], row[S.Wo], row[S.KH], row[S.KW], row[S.sh], row[S.sw]] = [
        step.relu ? 1 : 0,
        H,
        W,
        C,
        F,
        Ho,
        Wo,
        KH,
        KW,
        step.stride,
        step.stride,
      ];
      [row[S.pt], row[S.pb], row[S.pl], row[S.pr]] = [pads.top, pads.bottom, pads.left, pads.right];
      row[S.eps] = new Int32Array(new Float32Array([epsilon]).buffer)[0] as number;
      bn = Math.max(bn, F);
      const T = KH * KW * C;
      const floats = op === WINOGRAD_BN ? 36 * C * F : Math.max(1, T * (F & ~7));
      if (op === WINOGRAD_BN) wg = Math.max(wg, 36 * WG4_BLOCK * (C + F));
      else if (pads.top + pads.bottom + pads.left + pads.right > 0)
        pad = Math.max(pad, (H + pads.top + pads.bottom) * (W + pads.left + pads.right) * C);
      stepTransform[i] = transforms.length;
      transforms.push({ kind: op === WINOGRAD_BN ? 'winograd' : 'pack', filter: step.filter, C, F, T, at: transformFloats, floats });
      transformFloats += round16(floats);
      shapes.push([Ho, Wo, F]);
    }
    rows.push(row);
  }
  // Slots: each step's output takes a free one; a value's slot is free after its last reader.
  const slotOf = new Array<number>(steps.length + 1).fill(-1);
  const free: number[] = [];
  let slots = 0;
  let slotFloats = 0;
  for (const [i, row] of rows.entries()) {
    if (row[S.op] !== MEAN) {
      const slot = free.pop() ?? slots++;
      slotOf[i + 1] = slot;
      const [h, w, c] = shapes[i + 1] as Shape;
      slotFloats = Math.max(slotFloats, h * w * c);
      row[S.out] = slot;
    } else row[S.out] = -1;
    row[S.in] = (row[S.in] as number) === 0 ? -1 : (slotOf[row[S.in] as number] as number);
    if ((row[S.res] as number) >= 0) row[S.res] = slotOf[row[S.res] as number] as number;
    for (let v = 1; v <= i + 1; v++) if (lastUse[v] === i && (slotOf[v] as number) >= 0) free.push(slotOf[v] as number);
  }
  const chunk = chunkAttr ?? planChunk(slotFloats);
  const out = (shapes.at(-1) as Shape)[2];
  const work = round16(2 * bn) + round16(2 * out) + round16(wg) + round16(chunk * pad) + slots * round16(chunk * slotFloats);
  const ints = new Int32Array(PLAN_HEADER + steps.length * PLAN_STEP);
  ints[PLAN_STEPS] = steps.length;
  ints[PLAN_SLOTS] = slots;
  ints[PLAN_SLOT] = slotFloats;
  ints[PLAN_IN] = input[0] * input[1] * input[2];
  ints[PLAN_OUT] = out;
  ints[PLAN_PAD] = pad;
  ints[PLAN_BN] = bn;
  ints[PLAN_WG] = wg;
  ints[PLAN_CHUNK] = chunk;
  ints[PLAN_WORK] = work;
  rows.forEach((row, i) => ints.set(row, PLAN_HEADER + i * PLAN_STEP));
  return { steps, ints, transforms, transformFloats, out, stepTransform };
}

/**
 * Why `steps` cannot run as {@link INFERENCE_PLAN_KERNEL} on images of shape `input` [H, W, C]
 * with these tensors (then the layers run one by one), or undefined when they can.
 *
 * @internal
 */
export function inferencePlanUnsupported(
  steps: readonly InferenceStep[],
  input: readonly number[],
  tensors: tf.NamedTensorMap,
  native: boolean,
): string | undefined {
  if (input.length !== 3) return 'the input is not [H, W, C] images';
  // Epsilon does not decide whether steps run.
  const compiled = compilePlan(steps, input as unknown as Shape, (name) => tensors[name]?.shape, 0, undefined, native);
  return typeof compiled === 'string' ? compiled : undefined;
}

/** Where a plan lives in memory, and the bytes it takes from `at`: its ints, the transformed filters, the workspace. */
function planLayout(compiled: CompiledPlan, at: number): { filtersAt: number; workAt: number; bytes: number } {
  const filtersAt = (at + compiled.ints.length * 4 + 63) & ~63;
  const workAt = (filtersAt + compiled.transformFloats * 4 + 63) & ~63;
  return { filtersAt, workAt, bytes: workAt + (compiled.ints[PLAN_WORK] as number) * 4 - at };
}

/**
 * Writes `compiled` at `at` in the kernels' memory (`planBytes(compiled)` bytes of it): the ints
 * with every pointer filled from `offsetOf` (the byte offset of a named tensor), the filters
 * transformed by `k`. Returns what runPlan takes besides the images and the output.
 *
 * @internal
 */
export function writePlan(
  k: Kernels,
  memory: ArrayBuffer,
  at: number,
  compiled: CompiledPlan,
  offsetOf: (name: string) => number,
): { plan: number; work: number } {
  const { ints, transforms } = compiled;
  const { filtersAt, workAt } = planLayout(compiled, at);
  ints[PLAN_SELF] = at;
  compiled.steps.forEach((step, i) => {
    if (step.op !== 'convBatchNorm') return;
    const row = PLAN_HEADER + i * PLAN_STEP;
    const t = transforms[compiled.stepTransform[i] as number] as Transform;
    if (t.kind === 'winograd') ints[row + S.filter] = filtersAt + t.at * 4;
    else [ints[row + S.filter], ints[row + S.packed]] = [offsetOf(step.filter), filtersAt + t.at * 4];
    ints[row + S.gamma] = offsetOf(`${step.bn}/gamma`);
    ints[row + S.beta] = offsetOf(`${step.bn}/beta`);
    ints[row + S.mean] = offsetOf(`${step.bn}/mean`);
    ints[row + S.variance] = offsetOf(`${step.bn}/variance`);
  });
  new Int32Array(memory, at, ints.length).set(ints);
  for (const t of transforms) {
    const w = offsetOf(t.filter);
    if (t.kind === 'winograd') k.winograd43Filter({ w, U: filtersAt + t.at * 4, C: t.C, F: t.F });
    else k.packFilter8({ w, wp: filtersAt + t.at * 4, T: t.T, F: t.F });
  }
  return { plan: at, work: workAt };
}

/**
 * The bytes {@link writePlan} writes for `compiled`, from an address 64-byte aligned or not (up
 * to 63 bytes more).
 *
 * @internal
 */
export function planBytes(compiled: CompiledPlan): number {
  return planLayout(compiled, 0).bytes + 64;
}

function inferencePlanKernel(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x } = args.inputs as { x: tf.TensorInfo };
  const attrs = args.attrs as unknown as InferencePlanAttrs;
  if (x.dtype !== 'float32' || x.shape.length !== 4)
    throw new Error(
      `${INFERENCE_PLAN_KERNEL} (wasm): x of dtype ${x.dtype} and shape [${x.shape.join(', ')}], expected float32 [N, H, W, C]`,
    );
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const compiled = compilePlan(attrs.steps, [H, W, C], (name) => args.inputs[name]?.shape, attrs.epsilon, attrs.chunk);
  if (typeof compiled === 'string') throw new Error(`${INFERENCE_PLAN_KERNEL} (wasm): ${compiled}`);
  const offsetOf = (name: string): number => {
    const t = args.inputs[name];
    if (t === undefined || t.dtype !== 'float32') throw new Error(`${INFERENCE_PLAN_KERNEL} (wasm): input ${name} missing or not float32`);
    return offset(backend, t);
  };
  const k = instance(backend);
  const buffer = backend.wasm._malloc(planBytes(compiled));
  try {
    const memory = (backend.wasm.asm.memory as { buffer: ArrayBuffer }).buffer;
    const plan = writePlan(k, memory, buffer, compiled, offsetOf);
    const out = backend.makeOutput([N, compiled.out], 'float32');
    try {
      k.runPlan({ plan: plan.plan, x: offset(backend, x), out: offset(backend, out), work: plan.work, N });
    } catch (error) {
      backend.disposeData(out.dataId);
      throw error;
    }
    return out;
  } finally {
    backend.wasm._free(buffer);
  }
}

/** The plan kernel. */
export const planKernels = [
  { kernelName: INFERENCE_PLAN_KERNEL, make: () => inferencePlanKernel },
] as const satisfies readonly WasmKernel[];
