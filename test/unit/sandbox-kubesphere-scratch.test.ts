import { it } from 'vitest';
import { renderKubesphereYaml, goRemarshal, handEdit } from '../../src/sandbox/kubesphere/templates.js';
it('print', () => {
  for (const v of ['3.0','3.1','3.2','3.3','4.1'] as const) for (const role of ['host','member'] as const) {
    console.log(`===== ${v} ${role}\n` + renderKubesphereYaml({version: v, role, jwtSecret: 'abcDEF123', redis: role==='host' && v==='3.3'}));
  }
  const t = renderKubesphereYaml({version:'3.4', role:'member', jwtSecret:'abc', ccOAuthOptions:{accessTokenMaxAge:'2h'}});
  console.log('===== 3.4 dup\n'+t);
  console.log('===== remarshal\n'+goRemarshal(t, {clusterName:'member-1'}));
  console.log('===== handedit 3.1 host\n'+handEdit(renderKubesphereYaml({version:'3.1', role:'none', jwtSecret:'abc'}), {version:'3.1', jwtSecret:'HOST', accessTokenMaxAge:'0', comment:'synced with host per FAQ'}));
  console.log('===== handedit 4.1\n'+handEdit(renderKubesphereYaml({version:'4.1', role:'member', jwtSecret:'abc', accessTokenMaxAge:'2h'}), {version:'4.1', accessTokenMaxAge:'0s'}).slice(0,500));
});
