// @tgwf/co2 ships no type declarations; these describe the two datasets grid-factors.ts reads from
// its `./data` export. The values are still validated with zod at load.
declare module '@tgwf/co2/data' {
  export const averageIntensity: { data: Record<string, unknown>; type: string };
  export const electricityMaps: Record<string, { data: Record<string, unknown>; methodology?: string }>;
}
