#!/usr/bin/env node
// Shell completion for `kubectl ks-restore …` (kubectl ≥ 1.26): kubectl runs kubectl_complete-ks_restore with
// the words after the plugin name and reads cobra's __complete protocol, which `ks-restore __complete` speaks.
require('./launch.cjs').launch({ name: 'kubectl ks-restore' }, ['__complete', ...process.argv.slice(2)]);
