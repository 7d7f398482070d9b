import type { DemoApi } from '../demo-api';
import { COMMUNES, PROBE_LOCATIONS, TARGETS, localityName } from '../demo-data';
import type { LocalServices } from '../local-services';
import type { Seeded } from '../seed';
import type { DemoTimings } from '../timings';
import { bruteForceLines, normalOtp, otpWave, perTick, scannerLines } from './episodes';
import { Rng, accessLine, citizenIp, otpLine, portalRequest, probeLine, type Request } from './lines';

const PROVIDERS = ['viettel-sms', 'vnpt-sms', 'mobifone-sms'];

export interface ReplayDeps {
  readonly api: DemoApi;
  readonly local: LocalServices;
  readonly seeded: Seeded;
  readonly timings: DemoTimings;
  /** Requests of the real sample log, or null: then every request is generated. */
  readonly sample: readonly Request[] | null;
  /** Told of a failed send (the demo goes on). */
  readonly onError: (err: unknown) => void;
  readonly now?: () => number;
}

/**
 * Sends the demo's traffic every tick, as shippers would: each commune's portal access lines, OTP
 * events and the simulated second probe location's results, plus the scripted episodes of the
 * current cycle (the cycle restarts every `cycleMs`).
 */
export class Replay {
  private readonly rng = new Rng(20261123);
  private readonly now: () => number;
  private startedAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private lastProbeAt = 0;
  /** Lines and documents sent so far. */
  sent = 0;

  constructor(private readonly d: ReplayDeps) {
    this.now = d.now ?? Date.now;
  }

  start(): void {
    this.startedAt = this.now();
    const run = () => {
      if (this.inFlight) return; // a slow tick is not overlapped: the next one catches up
      this.inFlight = this.tick().catch(this.d.onError).finally(() => (this.inFlight = null));
    };
    run();
    this.timer = setInterval(run, this.d.timings.tickMs);
  }

  /** ms since the start of the current cycle. */
  cycleTime(): number {
    return (this.now() - this.startedAt) % this.d.timings.cycleMs;
  }

  elapsed(): number {
    return this.now() - this.startedAt;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  private active(at: number, forMs: number): boolean {
    const t = this.cycleTime();
    return t >= at && t < at + forMs;
  }

  private async tick(): Promise<void> {
    const t = this.d.timings;
    const now = this.now();
    const outage = this.active(t.outageAtMs, t.outageForMs);
    if (outage) this.d.local.down(TARGETS.outage);
    else this.d.local.up(TARGETS.outage);
    const probeDue = now - this.lastProbeAt >= t.probeEveryMs;
    if (probeDue) this.lastProbeAt = now;
    await Promise.all(COMMUNES.map(async (c) => {
      const src = this.d.seeded.sources[c.code];
      const send = async (key: string, lines: string[], type: 'text/plain' | 'application/x-ndjson') => {
        await this.d.api.ingest(key, lines, type);
        this.sent += lines.length;
      };
      await Promise.all([
        send(src.access.key, this.accessLines(now, c.code), 'text/plain'),
        send(src.otp.key, this.otpLines(now, c.code, c.parent ?? ''), 'application/x-ndjson'),
        probeDue ? this.probe(now, c.code).then((line) => send(src.probe.key, [line], 'application/x-ndjson')) : Promise.resolve(),
      ]);
    }));
  }

  private accessLines(now: number, code: string): string[] {
    const t = this.d.timings;
    const down = this.d.local.isDown(code);
    const lines: string[] = [];
    const n = this.rng.int(2, 6);
    for (let i = 0; i < n; i++) {
      const sample = this.d.sample && this.rng.chance(0.4) ? this.rng.pick(this.d.sample) : null;
      const r = sample ?? portalRequest(this.rng, citizenIp(this.rng));
      // During the outage the portal's back end is gone: nginx answers 502/503 quickly.
      const failed: Request = down ? { ...r, status: this.rng.chance(0.8) ? 503 : 502, bytes: 157 } : r;
      lines.push(accessLine(now - this.rng.int(0, t.tickMs - 1), failed, down ? 0.002 : 0.02 + this.rng.next() / 3));
    }
    if (code === TARGETS.bruteForce && this.active(t.bruteForceAtMs, t.attackForMs)) {
      lines.push(...bruteForceLines(now - t.tickMs + 1, perTick(40, t.tickMs, t.attackForMs), this.rng));
    }
    if (code === TARGETS.scanner && this.active(t.scannerAtMs, t.attackForMs)) {
      lines.push(...scannerLines(now - t.tickMs + 1, perTick(30, t.tickMs, t.attackForMs), this.rng));
    }
    return lines;
  }

  private otpLines(now: number, code: string, province: string): string[] {
    const t = this.d.timings;
    const wave = province === TARGETS.otpWave && this.active(t.otpWaveAtMs, t.otpWaveForMs);
    const events = wave ? otpWave(this.rng, code, perTick(120, t.tickMs, t.otpWaveForMs)) : normalOtp(this.rng, code, this.rng.int(0, 2));
    return events.map((e, i) => otpLine(now - t.tickMs + 1 + i * 20, e, this.rng, wave ? 'viettel-sms' : this.rng.pick(PROVIDERS)));
  }

  /** The simulated second location checks the portal for real, as a Heartbeat there would. */
  private async probe(now: number, code: string): Promise<string> {
    const url = this.d.local.portalUrl(code);
    const started = this.now();
    let statusCode: number | null = null;
    let error: string | undefined;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      statusCode = res.status;
      if (res.status < 200 || res.status > 299) error = `unexpected status ${res.status} (expected 200-299)`;
    } catch (err) {
      error = (err as Error).message;
    }
    return probeLine(now, {
      monitorId: this.d.seeded.monitors[code], name: `Cổng dịch vụ công ${localityName(code)}`, url, up: error === undefined, statusCode,
      durationMs: Math.max(1, this.now() - started), error, observer: PROBE_LOCATIONS.simulated,
    });
  }
}
