/**
 * The demo's clock: when each episode starts within a cycle, how fast the demo rules run and how
 * soon an unacknowledged incident escalates. The defaults fit "incidents, escalations and
 * statistics within a minute"; the integration test runs the same scenario on a faster clock.
 */
export interface DemoTimings {
  /** How often traffic is sent (one batch per source per tick). @defaultValue 2000 */
  readonly tickMs: number;
  /** The episodes repeat with this period. @defaultValue 240000 (4 minutes) */
  readonly cycleMs: number;
  /** `every` of the demo rules (the shipped ones: 1m). @defaultValue 5000 */
  readonly ruleEveryMs: number;
  /** `delay` of the demo rules (the shipped ones: 30s). @defaultValue 2000 */
  readonly ruleDelayMs: number;
  /** `window` of the demo threshold and ratio rules (the shipped ones: 5m or 10m). @defaultValue 60000 */
  readonly ruleWindowMs: number;
  /** `window` of demo-service-down (the shipped one: 3m). @defaultValue 15000 */
  readonly outageWindowMs: number;
  /** Interval of the demo monitors (built-in probe and the simulated second location). @defaultValue 5000 */
  readonly probeEveryMs: number;
  /** Policy demo-fast: province after this, central after as much again. @defaultValue 20000 */
  readonly escalateAfterMs: number;
  readonly scannerAtMs: number;
  readonly bruteForceAtMs: number;
  readonly otpWaveAtMs: number;
  readonly outageAtMs: number;
  /** How long each attack episode lasts. @defaultValue 12000 */
  readonly attackForMs: number;
  /** How long the OTP wave lasts. @defaultValue 30000 */
  readonly otpWaveForMs: number;
  /** How long the portal stays down. @defaultValue 30000 */
  readonly outageForMs: number;
  /** The simulated analyst acknowledges the scanner's incidents this long after they open. @defaultValue 8000 */
  readonly ackAfterMs: number;
  /** ... and resolves them this long after they open. @defaultValue 20000 */
  readonly resolveAfterMs: number;
}

export const DEFAULT_TIMINGS: DemoTimings = {
  tickMs: 2000,
  cycleMs: 240_000,
  ruleEveryMs: 5000,
  ruleDelayMs: 2000,
  ruleWindowMs: 60_000,
  outageWindowMs: 15_000,
  probeEveryMs: 5000,
  escalateAfterMs: 20_000,
  scannerAtMs: 10_000,
  bruteForceAtMs: 15_000,
  otpWaveAtMs: 20_000,
  outageAtMs: 25_000,
  attackForMs: 12_000,
  otpWaveForMs: 30_000,
  outageForMs: 30_000,
  ackAfterMs: 8000,
  resolveAfterMs: 20_000,
};

/** A faster clock for tests: the same episodes in about a third of the time. */
export const FAST_TIMINGS: DemoTimings = {
  tickMs: 1000,
  cycleMs: 120_000,
  ruleEveryMs: 2000,
  ruleDelayMs: 1000,
  ruleWindowMs: 30_000,
  outageWindowMs: 6000,
  probeEveryMs: 1000,
  escalateAfterMs: 6000,
  scannerAtMs: 1000,
  bruteForceAtMs: 2000,
  otpWaveAtMs: 3000,
  outageAtMs: 3000,
  attackForMs: 6000,
  otpWaveForMs: 10_000,
  outageForMs: 10_000,
  ackAfterMs: 2000,
  resolveAfterMs: 5000,
};

/** A duration as a rule or monitor file writes it: whole seconds when it can, else milliseconds. */
export function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
