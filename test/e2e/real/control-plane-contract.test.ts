import { controlPlaneContract } from '../../helpers/control-plane-contract.js';
import { describeReal } from '../../helpers/real-tier.js';

// The same contract on a real kube-apiserver: its own RBAC refusals, the Deployment controller's rollout.
describeReal('control plane contract', () => controlPlaneContract('real'));
