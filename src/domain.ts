/**
 * The two kinds of data the library works on, decided in one place: how a batch of each kind is
 * recognised, counted, blanked, featurised for the classical models, and encoded with a signal.
 * Encoders (their registry `domain`), models (their `inputKind`), studies and the CLI all ask here.
 */
import type { Dataset, ImageDataset, TextDataset } from './data/dataset.js';
import { isTextDataset } from './data/dataset.js';
import { flatten } from './data/transforms.js';
import { getImageEncoder, getTextEncoder } from './encoders/encoderRegistry.js';
import { charCodes } from './data/quantize.js';
import type { FeatureMatrix, ImageArray, LabelsInput } from './types.js';

/** A kind of data: images or texts. */
export type Domain = 'image' | 'text';

/** The batch type of each domain, as studies hold it (plain image batches, arrays of texts). */
export interface DomainInput {
  image: ImageArray;
  text: readonly string[];
}

/** What the library does with a batch of one domain. */
export interface DomainOps<D extends Domain> {
  readonly domain: D;
  /** The model input kind that takes this domain as is (`images`, `texts`). */
  readonly inputKind: D extends 'image' ? 'images' : 'texts';
  /** The batch of a dataset of this domain. */
  readonly inputOf: (ds: D extends 'image' ? ImageDataset<ImageArray> : TextDataset) => DomainInput[D];
  /** Blank inputs of the same size: black images, one-space texts (the paper's signal-only control). */
  readonly blank: (x: DomainInput[D]) => DomainInput[D];
  /**
   * The classical models' features: flattened pixels, or forward character codes (a column is the
   * same character index in every text, as a character-level classical model needs; backward
   * order would move the first character with the length).
   */
  readonly features: (x: DomainInput[D]) => FeatureMatrix;
  /** Encodes `x` with the named signal of this domain. */
  readonly encode: (signal: string, x: DomainInput[D], labels: LabelsInput, options: Readonly<Record<string, unknown>>) => DomainInput[D];
}

/**
 * The operations of each domain.
 *
 * @example
 * ```ts
 * import { domains } from './domain.js'; // internal
 * const features = domains.text.features(['ab', 'c']); // character codes
 * [features.rows, features.cols]; //=> [2, 1014]
 * ```
 */
export const domains: { readonly image: DomainOps<'image'>; readonly text: DomainOps<'text'> } = {
  image: {
    domain: 'image',
    inputKind: 'images',
    inputOf: (ds) => ds.images,
    blank: (x) => ({ data: new Float32Array(x.data.length), shape: x.shape }),
    features: (x) => flatten(x),
    encode: (signal, x, labels, options) => getImageEncoder(signal).inject(x, labels, options),
  },
  text: {
    domain: 'text',
    inputKind: 'texts',
    inputOf: (ds) => ds.texts,
    blank: (x) => x.map(() => ' '),
    features: (x) => charCodes(x, { order: 'forward' }),
    encode: (signal, x, labels, options) => getTextEncoder(signal).inject(x, labels, options),
  },
};

/**
 * The domain of a dataset.
 *
 * @example
 * ```ts
 * import { domainOf } from './domain.js'; // internal
 * domainOf({ texts: ['a'], labels: Int32Array.of(0), classNames: ['x'] }); //=> 'text'
 * ```
 */
export function domainOf(ds: Dataset): Domain {
  return isTextDataset(ds) ? 'text' : 'image';
}

/**
 * The domain of a model input kind, or undefined for `features` (either domain, featurised).
 *
 * @example
 * ```ts
 * import { domainOfInputKind } from './domain.js'; // internal
 * domainOfInputKind('images'); //=> 'image'
 * ```
 */
export function domainOfInputKind(kind: 'images' | 'texts' | 'features'): Domain | undefined {
  return kind === 'images' ? 'image' : kind === 'texts' ? 'text' : undefined;
}

/** A domain's operations for code that handles either domain: inputs are opaque batches. */
export interface AnyDomainOps {
  readonly domain: Domain;
  readonly inputKind: 'images' | 'texts';
  readonly inputOf: (ds: Dataset) => unknown;
  readonly blank: (x: unknown) => unknown;
  readonly features: (x: unknown) => FeatureMatrix;
  readonly encode: (signal: string, x: unknown, labels: LabelsInput, options: Readonly<Record<string, unknown>>) => unknown;
}

/**
 * The operations of `domain`, typed for code that handles either (a study, the CLI): a batch is
 * whatever that domain's `inputOf` gives.
 *
 * @example
 * ```ts
 * import { domainOps } from './domain.js'; // internal
 * const ops = domainOps('text');
 * ops.blank(['hello']); //=> [' ']
 * ```
 */
export function domainOps(domain: Domain): AnyDomainOps {
  return domains[domain] as unknown as AnyDomainOps;
}
