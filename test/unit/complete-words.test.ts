import { describe, expect, it } from 'vitest';
import { planCompletion, type CommandSpec, type OptionSpec } from '../../src/commands/complete-words.js';

const member: OptionSpec[] = [
  { long: '--host', takesValue: true },
  { long: '--context', takesValue: true },
  { long: '--member', takesValue: true },
  { long: '--cluster', takesValue: true },
  { long: '--kubeconfig', takesValue: true },
  { long: '--since', takesValue: true },
  { long: '--output', short: '-o', takesValue: true, choices: ['text', 'json', 'yaml'] },
  { long: '--verbose', short: '-v', takesValue: false },
];
const commands: CommandSpec[] = [
  { name: 'diagnose', options: member },
  { name: 'repair', options: member },
  {
    name: 'demo',
    options: [
      { long: '--ks-version', takesValue: true, choices: ['3.4', '4.1'] },
      { long: '--scenario', takesValue: true },
    ],
  },
  { name: 'completion', options: [], args: ['bash', 'zsh', 'fish'] },
];
const global: OptionSpec[] = [{ long: '--version', short: '-V', takesValue: false }];
const plan = (...words: string[]) => planCompletion(commands, global, words);

describe('planCompletion', () => {
  it.each([
    [[''], { kind: 'words', words: ['diagnose', 'repair', 'demo', 'completion'], prefix: '' }],
    [['diagnose', '--host', ''], { kind: 'contexts', flag: '--host', prefix: '' }],
    [['diagnose', '--context', 'pro'], { kind: 'contexts', flag: '--context', prefix: '' }],
    [['repair', '--member', ''], { kind: 'contexts', flag: '--member', prefix: '' }],
    [['diagnose', '--cluster', ''], { kind: 'clusters', flag: '--cluster', prefix: '' }],
    [['diagnose', '--kubeconfig', ''], { kind: 'files', flag: '--kubeconfig', prefix: '' }],
    [['diagnose', '--since', ''], { kind: 'none', flag: '--since', prefix: '' }],
    [['diagnose', '-o', ''], { kind: 'words', words: ['text', 'json', 'yaml'], prefix: '' }],
    [['diagnose', '--output=j'], { kind: 'words', words: ['text', 'json', 'yaml'], prefix: '--output=' }],
    [['diagnose', '--host=p'], { kind: 'contexts', flag: '--host', prefix: '--host=' }],
    [['demo', '--ks-version', ''], { kind: 'words', words: ['3.4', '4.1'], prefix: '' }],
    [['demo', '--scenario', ''], { kind: 'scenarios', flag: '--scenario', prefix: '' }],
    [['completion', ''], { kind: 'words', words: ['bash', 'zsh', 'fish'], prefix: '' }],
    // -v takes no value it waits for: the next word is a flag again
    [
      ['diagnose', '-v', '--h'],
      { kind: 'words', words: expect.arrayContaining(['--host', '-o', '--help']), prefix: '' },
    ],
  ])('%j', (words, expected) => {
    expect(plan(...words).plan).toEqual(expected);
  });

  it('knows which kubeconfig and host the words named, for context and Cluster names', () => {
    expect(plan('diagnose', '--kubeconfig', '/k', '--context', 'h', '--cluster', '').given).toEqual({
      kubeconfig: '/k',
      host: 'h',
    });
    expect(plan('diagnose', '--kubeconfig=/k', '--host=h', '--cluster', '').given).toEqual({
      kubeconfig: '/k',
      host: 'h',
    });
  });
});
