#!/usr/bin/env node
require('./launch.cjs').launch({ name: 'ks-restore' });
