// `sandbox --fault path=…`: a substring of the request path, or with a final `$` the end of it — what lets the
// fault matrix strike a collection (a watch of deployments) and not the objects under it.
import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../../src/sandbox/apiserver/faults.js';
import { parseFaultRule } from '../../src/sandbox/index.js';

const DEPLOYMENTS = '/apis/apps/v1/namespaces/kubesphere-system/deployments';

describe('fault rules by path', () => {
  it('a plain path is a substring: the collection and every object under it', () => {
    const faults = new FaultInjector([parseFaultRule('path=/deployments,times=0,kind=500')]);
    expect(faults.match('member', 'GET', `${DEPLOYMENTS}/ks-apiserver`)?.status).toBe(500);
    expect(faults.match('member', 'GET', DEPLOYMENTS)?.status).toBe(500);
  });

  it('a final $ anchors it at the end, and only matching requests count towards nth', () => {
    const rule = parseFaultRule(`method=GET,path=${DEPLOYMENTS}$,nth=2,kind=403`);
    expect(rule.path).toBe(`${DEPLOYMENTS}$`);
    const faults = new FaultInjector([rule]);
    expect(faults.match('member', 'GET', `${DEPLOYMENTS}/ks-apiserver`)).toBeUndefined();
    expect(faults.match('member', 'GET', DEPLOYMENTS)).toBeUndefined(); // the 1st match
    expect(faults.match('member', 'GET', `${DEPLOYMENTS}/ks-agent`)).toBeUndefined();
    expect(faults.match('member', 'GET', DEPLOYMENTS)?.status).toBe(403); // the 2nd
    expect(faults.fired).toBe(1);
  });
});
