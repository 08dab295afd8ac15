// list_top_power_consumers: workloads ranked by mean IT power, paged.
import { z } from 'zod';
import { majorityLanguage } from './workload-lookup.js';
import { namespaceField } from './input-fields.js';
import { cursorField, paginate } from './pagination.js';
import { byPowerDescending, powerRowSchema, powerRows } from './power-rows.js';
import { formatNumber } from './summary-text.js';
import { defineTool } from './tool-definition.js';

export const listTopPowerConsumers = defineTool({
  name: 'list_top_power_consumers',
  title: 'List top power consumers',
  description:
    'Workloads ranked by mean IT power (Kepler-measured) over their policy window, highest first, with energy and ' +
    'emissions. Paged: pass next_cursor back as cursor.',
  inputSchema: z.object({
    namespace: namespaceField.optional(),
    limit: z.number().int().min(1).max(200).optional().describe('page size (default 10, at most 200)'),
    cursor: cursorField,
  }),
  outputSchema: z.object({
    workloads: z.array(powerRowSchema.extend({ rank: z.number().int(), share_percent: z.number() })),
    total_power_watts: z.number(),
    matching: z.number().int(),
    next_cursor: z.string().nullable(),
  }),
  // Arguments and policy status alone: no clock (runTool may reuse the answer, answer-memo.ts).
  reusableAnswer: true,
  async handler(args, context) {
    const policies = await context.policies(args.namespace);
    const rows = powerRows(policies, args.namespace).sort(byPowerDescending);
    const total = rows.reduce((sum, r) => sum + r.power_watts, 0);
    const ranked = rows.map((r, i) => ({
      ...r,
      rank: i + 1,
      share_percent: total > 0 ? Math.round((r.power_watts / total) * 10000) / 100 : 0,
    }));
    const page = paginate(ranked, { ns: args.namespace ?? null, t: 'top' }, args.limit ?? 10, args.cursor);
    const language = majorityLanguage(policies);
    const top = page.items[0];
    const summary =
      language === 'ko'
        ? `전력 상위 워크로드 ${page.items.length}개 (총 ${formatNumber(total, 1)} W)` +
          (top
            ? `; 1위 ${top.namespace}/${top.workload} ${formatNumber(top.power_watts, 1)} W (${formatNumber(top.share_percent, 1)}%).`
            : '.')
        : `Top ${page.items.length} power consumers (total ${formatNumber(total, 1)} W)` +
          (top
            ? `; #1 ${top.namespace}/${top.workload} at ${formatNumber(top.power_watts, 1)} W (${formatNumber(top.share_percent, 1)}%).`
            : '.');
    return {
      language,
      summary,
      structured: {
        workloads: page.items,
        total_power_watts: Math.round(total * 1000) / 1000,
        matching: page.total,
        next_cursor: page.next_cursor,
      },
    };
  },
});
