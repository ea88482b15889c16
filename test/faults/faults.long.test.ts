import { defineFaultSuite } from './fault-suite';
import { scaleFromEnv } from './fault-scale';

// `pnpm test:faults` (FAULTS_SCALE=full): 500-job runs, 20 kills, 30 s outages. Excluded from `pnpm test`.
defineFaultSuite(scaleFromEnv());
