/**
 * `npm run build` (after `nest build`): bundles the dashboard into dist/dashboard and reports its
 * first-load size against its budget.
 */
import { projectRoot } from '@caravan/config';
import { buildDashboard, describeDashboardBuild } from '@caravan/stack';

try {
  process.stdout.write(
    `dashboard built into dist/dashboard:\n${describeDashboardBuild(buildDashboard(projectRoot()))}\n`,
  );
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
