import { goRemarshal } from './go-remarshal.js';
import { handEdit } from './hand-edit.js';
import type { HandEditOptions } from './hand-edit.js';
import { render3x } from './template-3x.js';
import { render4x } from './template-4x.js';
import type { RenderOptions } from './template-types.js';

export type { RenderOptions } from './template-types.js';
export type { HandEditOptions } from './hand-edit.js';
export { goRemarshal, handEdit };

/** How a kubesphere.yaml came to look the way it does on a live cluster. */
export type ConfigStyle = 'template' | 'go-remarshal' | 'hand-edited';

/**
 * The `kubesphere.yaml` value of ConfigMap kubesphere-system/kubesphere-config as the installer leaves it:
 * ks-installer's Jinja template for 3.x, the ks-core Helm chart for 4.1.
 */
export function renderKubesphereYaml(o: RenderOptions): string {
  const body = o.version === '4.1' ? render4x(o) : render3x(o.version, o);
  return o.extraYaml ? body + o.extraYaml.replace(/\n?$/, '\n') : body;
}

export interface StyledRenderOptions extends RenderOptions {
  style: ConfigStyle;
  /** For 'go-remarshal': the member's name in the host (multicluster.clusterName). */
  clusterName?: string;
  /** For 'hand-edited': what was changed by hand, on top of the rendered template. */
  edit?: Omit<HandEditOptions, 'version'>;
}

/** renderKubesphereYaml, then the rewrite that gives the file its style. */
export function renderStyledKubesphereYaml(o: StyledRenderOptions): string {
  const text = renderKubesphereYaml(o);
  if (o.style === 'go-remarshal') return goRemarshal(text, { clusterName: o.clusterName ?? 'member' });
  if (o.style === 'hand-edited') return handEdit(text, { version: o.version, ...(o.edit ?? {}) });
  return text;
}
