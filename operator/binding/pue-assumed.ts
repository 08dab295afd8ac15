// The one wording of the "PUE is assumed" warning: the operator's PUEKnown=False condition and the
// CLI's stderr line say the same thing and name the input to set.
export function pueAssumedMessage(pue: number, field: string): string {
  return (
    `PUE ${pue} is an assumed industry average, not this site's: neither the policy nor a cloud region ` +
    `gives one. Every intensity and verdict depends on it; set ${field} to the facility's measured PUE.`
  );
}
