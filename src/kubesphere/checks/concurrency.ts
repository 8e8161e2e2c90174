/**
 * Members read at once in fleet mode unless `--concurrency` says otherwise. Each member is its own API server,
 * so the limit guards only this process's sockets and memory; 64 reads a 50-member fleet in one wave.
 */
export const DEFAULT_CONCURRENCY = 64;
