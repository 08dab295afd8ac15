// identify_power_hotspots: the few workloads that draw most of the power (the smallest set whose
// power reaches share_percent of the total), plus any above an absolute threshold.
import { z } from 'zod';
import { majorityLanguage } from './workload-lookup.js';
import { namespaceField } from './input-fields.js';
import { byPowerDescending, powerRowSchema, powerRows } from './power-rows.js';
import { formatNumber } from './summary-text.js';
import { defineTool } from './tool-definition.js';

const MAX_HOTSPOTS = 50;

export const identifyPowerHotspots = defineTool({
  name: 'identify_power_hotspots',
  title: 'Identify power hotspots',
  description:
    'The smallest set of workloads that together draw share_percent (default 80) of the measured IT power, and any ' +
    `workload above threshold_watts; at most ${MAX_HOTSPOTS}.`,
  inputSchema: z.object({
    namespace: namespaceField.optional(),
    share_percent: z
      .number()
      .gt(0)
      .max(100)
      .optional()
      .describe('cumulative share of total power (default 80)'),
    threshold_watts: z.number().min(0).optional().describe('also flag any workload drawing more than this'),
  }),
  outputSchema: z.object({
    hotspots: z.array(
      powerRowSchema.extend({
        share_percent: z.number(),
        cumulative_share_percent: z.number(),
        reason: z.enum(['share', 'threshold', 'share+threshold']),
      }),
    ),
    total_power_watts: z.number(),
    workloads_considered: z.number().int(),
    share_percent: z.number(),
    threshold_watts: z.number().nullable(),
    truncated: z.boolean(),
  }),
  // Arguments and policy status alone: no clock (runTool may reuse the answer, answer-memo.ts).
  reusableAnswer: true,
  async handler(args, context) {
    const policies = await context.policies(args.namespace);
    const rows = powerRows(policies, args.namespace).sort(byPowerDescending);
    const total = rows.reduce((sum, r) => sum + r.power_watts, 0);
    const target = args.share_percent ?? 80;
    const threshold = args.threshold_watts ?? null;
    let cumulative = 0;
    const hotspots = [];
    for (const row of rows) {
      const share = total > 0 ? (row.power_watts / total) * 100 : 0;
      const inShare = total > 0 && cumulative < target && row.power_watts > 0;
      const overThreshold = threshold !== null && row.power_watts > threshold;
      cumulative += share;
      if (!inShare && !overThreshold) continue;
      hotspots.push({
        ...row,
        share_percent: Math.round(share * 100) / 100,
        cumulative_share_percent: Math.round(cumulative * 100) / 100,
        reason: (inShare && overThreshold ? 'share+threshold' : inShare ? 'share' : 'threshold') as
          'share' | 'threshold' | 'share+threshold',
      });
    }
    const shown = hotspots.slice(0, MAX_HOTSPOTS);
    const language = majorityLanguage(policies);
    const summary =
      language === 'ko'
        ? `워크로드 ${rows.length}개 중 ${hotspots.length}개가 총 전력 ${formatNumber(total, 1)} W의 ${formatNumber(target)}% 이상을 차지합니다.`
        : `${hotspots.length} of ${rows.length} workloads draw at least ${formatNumber(target)}% of the ${formatNumber(total, 1)} W total.`;
    return {
      language,
      summary,
      structured: {
        hotspots: shown,
        total_power_watts: Math.round(total * 1000) / 1000,
        workloads_considered: rows.length,
        share_percent: target,
        threshold_watts: threshold,
        truncated: hotspots.length > shown.length,
      },
    };
  },
});
