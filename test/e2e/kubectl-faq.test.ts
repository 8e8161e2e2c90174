import { kubectlFaq } from '../helpers/kubectl-faq.js';

// The FAQ's kubectl commands, verbatim, on the embedded API server (test/helpers/kubectl-faq.ts).
kubectlFaq('embedded');
