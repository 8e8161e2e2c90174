import { acceptanceMatrix } from '../helpers/acceptance-matrix.js';

// Every KubeSphere version × scenario on the embedded API server (test/helpers/acceptance-matrix.ts).
acceptanceMatrix('embedded');
