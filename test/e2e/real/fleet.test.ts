import { twentyMemberFleet } from '../../helpers/fleet.js';
import { describeReal } from '../../helpers/real-tier.js';

// Fleet mode on 21 real kube-apiservers (test/helpers/fleet.ts): discovery, diagnose, repair, diagnose again.
describeReal('20-member fleet', () => twentyMemberFleet('real'));
