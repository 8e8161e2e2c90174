import type { ClusterFacts } from '../cluster/facts.js';

/** Every jwtSecret value these two clusters hold, so renderers can mask all of them. */
export function secretsInPlay(host: ClusterFacts, member: ClusterFacts): string[] {
  const out: Array<string | undefined> = [];
  for (const f of [host, member]) {
    if (f.config.state === 'ok') out.push(f.config.settings.jwtSecret);
    out.push(f.clusterConfiguration?.jwtSecret, f.installerSecret);
  }
  return out.filter((s): s is string => typeof s === 'string' && s !== '');
}
