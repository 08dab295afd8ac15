// Every tool the server offers, in the order clients list them.
import { assessWorkloadCompliance } from './assess-workload-compliance.js';
import { calculateOptimalSchedule } from './calculate-optimal-schedule.js';
import { compareOptimizationImpact } from './compare-optimization-impact.js';
import { estimateManifest } from './estimate-manifest.js';
import { explainEmissionsChange } from './explain-emissions-change.js';
import { getRegionalComparison } from './get-regional-comparison.js';
import { getPowerConsumptionSummary } from './get-power-consumption-summary.js';
import { identifyPowerHotspots } from './identify-power-hotspots.js';
import { listTopPowerConsumers } from './list-top-power-consumers.js';
import { listWorkloadsByCompliance } from './list-workloads-by-compliance.js';
import type { ToolDefinition } from './tool-definition.js';

export const toolCatalogue: readonly ToolDefinition[] = [
  assessWorkloadCompliance,
  compareOptimizationImpact,
  listWorkloadsByCompliance,
  getRegionalComparison,
  calculateOptimalSchedule,
  identifyPowerHotspots,
  listTopPowerConsumers,
  getPowerConsumptionSummary,
  explainEmissionsChange,
  estimateManifest,
] as unknown as readonly ToolDefinition[];
