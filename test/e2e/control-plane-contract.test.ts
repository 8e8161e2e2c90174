import { controlPlaneContract } from '../helpers/control-plane-contract.js';

// What ks-restore relies on from the API server, on the embedded one (test/helpers/control-plane-contract.ts).
controlPlaneContract('embedded');
