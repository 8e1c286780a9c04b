/**
 * `@tfzoo/docs-site` (private): the generator of tfzoo's model cards and model table from the
 * registry (`npm run cards -w @tfzoo/docs-site`), and the link checker of the built API site
 * (`npm run check-links -w @tfzoo/docs-site`).
 *
 * @packageDocumentation
 */
export { type BenchmarkRecord, parseBenchmarks, readBenchmarks } from './benchmarks.js';
export {
  compareModelDocs,
  type DocsDifference,
  type GenerateOptions,
  generateModelDocs,
  writeModelDocs,
} from './cards.js';
export {
  type CollectOptions,
  collectModelFacts,
  type ModelCost,
  type ModelFacts,
  measureCost,
  naturalOrder,
} from './facts.js';
export { type BrokenLink, checkLinks, type LinkReport, pageAnchors, pageLinks } from './links.js';
export { PARITY_EVIDENCE, type ParityEvidence } from './parity.js';
export {
  formatMacs,
  formatParams,
  groupDigits,
  renderModelCard,
  renderModelDocs,
  renderModelTable,
} from './render.js';
