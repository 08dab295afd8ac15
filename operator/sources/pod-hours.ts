// A pod's energy per UTC clock hour as the sources hand it to the reconciler: typed arrays from its first
// hour, not an object per hour (50,000 pods × 24 hours were 1.2 million objects made, summed and dropped
// in every reconcile). HourlyEnergy buckets remain the engine's and the status's form.
import type { HourlyEnergy } from '../domain/types.js';
import { hourStartIso } from '../kepler/energy-integrator.js';
import { HOUR_MS } from '../domain/time.js';
import type { PodHours } from './metrics-source.js';

export type HourPart = 'energy_kWh' | 'idleShare_kWh' | 'estimated_kWh';

/** No hours: a pod the source knows (its power) but has no energy for. */
export const NO_POD_HOURS: PodHours = Object.freeze({ firstHourMs: 0, energy_kWh: new Float64Array(0) });

/**
 * Sums a pod's hour parts as they arrive, in any hour order. Adding any part to an hour gives that hour
 * an energy figure (0 kWh until energy is added), as a bucket made on first use would.
 */
export class PodHourSums {
  /** Hour number (ms / HOUR_MS) of slot 0. */
  private first = 0;
  private energy: Float64Array = new Float64Array(0);
  private idle: Float64Array | undefined;
  private estimated: Float64Array | undefined;

  /** `endHourMs`: the hour after the last one expected, so the usual first add sizes the arrays once. */
  constructor(private readonly endHourMs: number) {}

  add(hourStartMs: number, part: HourPart, kWh: number): void {
    const hour = Math.floor(hourStartMs / HOUR_MS);
    if (this.energy.length === 0) {
      this.first = hour;
      this.energy = nanFilled(Math.max(1, Math.floor(this.endHourMs / HOUR_MS) - hour));
    } else if (hour < this.first || hour >= this.first + this.energy.length) this.grow(hour);
    const slot = hour - this.first;
    if (Number.isNaN(this.energy[slot])) this.energy[slot] = 0;
    const values = part === 'energy_kWh' ? this.energy : this.partArray(part);
    const previous = values[slot]!;
    values[slot] = (Number.isNaN(previous) ? 0 : previous) + kWh;
  }

  hours(): PodHours {
    return {
      firstHourMs: this.first * HOUR_MS,
      energy_kWh: this.energy,
      ...(this.idle ? { idleShare_kWh: this.idle } : {}),
      ...(this.estimated ? { estimated_kWh: this.estimated } : {}),
    };
  }

  private partArray(part: 'idleShare_kWh' | 'estimated_kWh'): Float64Array {
    if (part === 'idleShare_kWh') return (this.idle ??= nanFilled(this.energy.length));
    return (this.estimated ??= nanFilled(this.energy.length));
  }

  private grow(hour: number): void {
    const first = Math.min(this.first, hour);
    const end = Math.max(this.first + this.energy.length, hour + 1);
    const moved = (values: Float64Array) => {
      const out = nanFilled(end - first);
      out.set(values, this.first - first);
      return out;
    };
    this.energy = moved(this.energy);
    if (this.idle) this.idle = moved(this.idle);
    if (this.estimated) this.estimated = moved(this.estimated);
    this.first = first;
  }
}

function nanFilled(length: number): Float64Array {
  return new Float64Array(length).fill(Number.NaN);
}

/** Hour buckets as PodHours (e.g. a model's estimate); buckets naming the same hour are summed. */
export function podHoursOf(buckets: readonly HourlyEnergy[]): PodHours {
  if (buckets.length === 0) return NO_POD_HOURS;
  const sums = new PodHourSums(Date.parse(buckets.at(-1)!.hourStart) + HOUR_MS);
  for (const b of buckets) {
    const hourMs = Date.parse(b.hourStart);
    sums.add(hourMs, 'energy_kWh', b.energy_kWh);
    if (b.idleShare_kWh !== undefined) sums.add(hourMs, 'idleShare_kWh', b.idleShare_kWh);
    if (b.estimated_kWh !== undefined) sums.add(hourMs, 'estimated_kWh', b.estimated_kWh);
  }
  return sums.hours();
}

/** The hours as buckets in hour order (hours without energy left out; a part only where it has a figure). */
export function bucketsOf(hours: PodHours): HourlyEnergy[] {
  const out: HourlyEnergy[] = [];
  for (let i = 0; i < hours.energy_kWh.length; i++) {
    const energy_kWh = hours.energy_kWh[i]!;
    if (Number.isNaN(energy_kWh)) continue;
    const bucket: HourlyEnergy = { hourStart: hourStartIso(hours.firstHourMs + i * HOUR_MS), energy_kWh };
    const idle = hours.idleShare_kWh?.[i];
    if (idle !== undefined && !Number.isNaN(idle)) bucket.idleShare_kWh = idle;
    const estimated = hours.estimated_kWh?.[i];
    if (estimated !== undefined && !Number.isNaN(estimated)) bucket.estimated_kWh = estimated;
    out.push(bucket);
  }
  return out;
}

/** Hours with an energy figure. */
export function hoursWithEnergy(hours: PodHours): number {
  let n = 0;
  for (const e of hours.energy_kWh) if (!Number.isNaN(e)) n++;
  return n;
}
