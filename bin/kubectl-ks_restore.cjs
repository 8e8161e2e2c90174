#!/usr/bin/env node
// `kubectl ks-restore …`: kubectl runs the first `kubectl-ks_restore` on PATH (a dash in a plugin's name is
// spelled `_` in the file name) with the arguments after the plugin name, and its own environment (KUBECONFIG).
require('./launch.cjs').launch({ name: 'kubectl ks-restore' });
