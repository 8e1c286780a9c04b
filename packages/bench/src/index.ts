/**
 * `@tfzoo/bench`: the benchmark harness of tfzoo (a command: `npm run bench -w @tfzoo/bench`).
 * The exports are its pure parts, for tests and for reuse by other benchmark runs (e.g. the GPU run).
 *
 * @packageDocumentation
 */
export { MODELS, RUNTIMES } from './catalog.js';
export {
  type CpuInfo,
  type GpuInfo,
  gpuFingerprint,
  type MachineFingerprint,
  machineFingerprint,
  parseCpuInfo,
  parseLoadAvg,
  parseNvidiaSmi,
  readLoad,
} from './fingerprint.js';
export {
  type BenchOptions,
  type BenchReport,
  type ComparisonCell,
  compare,
  findRow,
  PEER_KEYS,
  peerKeys,
  type RuntimeReport,
  ranOnSoftwareGpu,
  renderChart,
  renderMarkdown,
  statusNote,
} from './report.js';
export {
  formatBytes,
  formatRate,
  formatRatio,
  formatSeconds,
  median,
  ratio,
  repeatsWithinBudget,
} from './stats.js';
export {
  type BarChart,
  barChartSvg,
  type ChartBar,
  type ChartGroup,
  type ChartSection,
  type ChartSeries,
  escapeXml,
} from './svg.js';
export type {
  BenchMode,
  BenchRow,
  Case,
  CheckResult,
  ModelSpec,
  RowStatus,
  RuntimeSpec,
  WorkerResult,
  WorkerTask,
} from './types.js';
