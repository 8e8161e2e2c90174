import { kubectlFaq } from '../../helpers/kubectl-faq.js';
import { describeReal } from '../../helpers/real-tier.js';

// The FAQ's kubectl commands, verbatim, on a real kube-apiserver: the real kubectl against the real server.
describeReal('kubectl FAQ', () => kubectlFaq('real'));
