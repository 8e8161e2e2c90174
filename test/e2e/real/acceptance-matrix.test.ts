import { acceptanceMatrix } from '../../helpers/acceptance-matrix.js';
import { describeReal } from '../../helpers/real-tier.js';

// Every KubeSphere version × scenario on a real kube-apiserver, kube-controller-manager and etcd, through the
// built binary; the same assertions as on the embedded API server (test/helpers/acceptance-matrix.ts).
describeReal('acceptance matrix', () => acceptanceMatrix('real'));
