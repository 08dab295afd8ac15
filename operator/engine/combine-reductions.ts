// Independent reductions combine multiplicatively: what is left after each is what the next acts on.

/** 1 − Π(1 − rᵢ), in percent; each rᵢ is clamped to 0–100 %. */
export function combineReductions(percents: number[]): number {
  const remaining = percents.reduce((left, p) => left * (1 - Math.min(Math.max(p, 0), 100) / 100), 1);
  return (1 - remaining) * 100;
}
