/**
 * Shell completion scripts. Each asks the program itself (`PROGRAM __complete WORD…`: candidates one a line,
 * then `:DIRECTIVE`, cobra's protocol) so contexts and Clusters are completed from the kubeconfig in use.
 * Directive 0 with no candidates means "complete file names".
 */
export type Shell = 'bash' | 'zsh' | 'fish';
export const SHELLS: readonly Shell[] = ['bash', 'zsh', 'fish'];

/** The scripts complete the `ks-restore` command (installed beside kubectl-ks_restore). */
export function completionScript(shell: Shell): string {
  return SCRIPTS[shell];
}

const BASH = `# bash completion for ks-restore. Load it with: source <(ks-restore completion bash)
_ks_restore_complete() {
  local line=\${COMP_LINE:0:COMP_POINT}
  local -a words
  read -ra words <<<"$line"
  [[ $line =~ [[:space:]]$ ]] && words+=("")
  local cur=\${words[\${#words[@]}-1]}
  local out
  out=$("\${words[0]}" __complete "\${words[@]:1}" 2>/dev/null) || return 0
  local directive=\${out##*:}
  out=\${out%:*}
  local IFS=$'\\n'
  COMPREPLY=($(compgen -W "$out" -- "$cur"))
  # bash splits words at COMP_WORDBREAKS' '=' and ':' (--output=json, EKS context ARNs): it replaces only what
  # follows the last of them, so offer only that
  local wb=''
  [[ $COMP_WORDBREAKS == *=* ]] && wb+='='
  [[ $COMP_WORDBREAKS == *:* ]] && wb+=':'
  if [[ -n $wb && $cur == *[$wb]* ]]; then
    local typed=\${cur%"\${cur##*[$wb]}"}
    COMPREPLY=("\${COMPREPLY[@]#"$typed"}")
  fi
  if [[ \${#COMPREPLY[@]} -eq 0 && $directive == 0 ]]; then
    compopt -o default 2>/dev/null
  fi
  return 0
}
complete -F _ks_restore_complete ks-restore
`;

const ZSH = `#compdef ks-restore
# zsh completion for ks-restore. Load it with: source <(ks-restore completion zsh)
_ks_restore() {
  local out directive
  local -a lines
  out=$("\${words[1]}" __complete "\${(@)words[2,CURRENT]}" 2>/dev/null) || return 1
  lines=("\${(@f)out}")
  directive=\${lines[-1]#:}
  lines=("\${(@)lines[1,-2]}")
  if (( \${#lines} == 0 )); then
    [[ $directive == 0 ]] && _files
    return
  fi
  compadd -Q -- "\${lines[@]}"
}
if (( $+functions[compdef] )); then
  compdef _ks_restore ks-restore
fi
`;

const FISH = `# fish completion for ks-restore. Load it with: ks-restore completion fish | source
function __ks_restore_complete
    set -l tokens (commandline -opc) (commandline -ct)
    set -l out ($tokens[1] __complete $tokens[2..-1] 2>/dev/null)
    or return
    set -l directive (string replace ':' '' -- $out[-1])
    set -e out[-1]
    if test (count $out) -eq 0; and test "$directive" = 0
        __fish_complete_path (commandline -ct)
        return
    end
    printf '%s\\n' $out
end
complete -c ks-restore -f -a '(__ks_restore_complete)'
`;

const SCRIPTS: Record<Shell, string> = { bash: BASH, zsh: ZSH, fish: FISH };
