import { defineFaultSuite } from './fault-suite';
import { SCALES } from './fault-scale';

// The short form that runs in `pnpm test`; `pnpm test:faults` runs faults.long.test.ts at full scale.
defineFaultSuite(SCALES.short);
