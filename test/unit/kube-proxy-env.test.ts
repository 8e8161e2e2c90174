import { describe, expect, it } from 'vitest';
import { proxyFromEnvironment } from '../../src/kube/proxy-env.js';

const P = 'http://proxy.corp:3128';

describe('proxyFromEnvironment (Go http.ProxyFromEnvironment)', () => {
  it.each([
    ['https server, HTTPS_PROXY', 'https://api.example.com:6443', { HTTPS_PROXY: P }, P],
    ['lower-case https_proxy', 'https://api.example.com:6443', { https_proxy: P }, P],
    ['https server ignores HTTP_PROXY', 'https://api.example.com:6443', { HTTP_PROXY: P }, undefined],
    ['no scheme → http://', 'https://api.example.com', { HTTPS_PROXY: 'proxy.corp:3128' }, P],
    ['loopback is never proxied', 'https://127.0.0.1:6443', { HTTPS_PROXY: P }, undefined],
    ['localhost is never proxied', 'https://localhost:6443', { HTTPS_PROXY: P }, undefined],
    ['NO_PROXY *', 'https://api.example.com', { HTTPS_PROXY: P, NO_PROXY: '*' }, undefined],
    ['NO_PROXY domain', 'https://api.example.com', { HTTPS_PROXY: P, NO_PROXY: 'example.com' }, undefined],
    ['NO_PROXY .domain', 'https://api.example.com', { HTTPS_PROXY: P, NO_PROXY: '.example.com' }, undefined],
    ['NO_PROXY other domain', 'https://api.example.com', { HTTPS_PROXY: P, NO_PROXY: 'example.org' }, P],
    [
      'NO_PROXY suffix is not a domain',
      'https://api.badexample.com',
      { HTTPS_PROXY: P, NO_PROXY: 'example.com' },
      P,
    ],
    ['NO_PROXY CIDR', 'https://10.1.2.3:6443', { HTTPS_PROXY: P, no_proxy: 'foo, 10.0.0.0/8' }, undefined],
    ['NO_PROXY CIDR miss', 'https://192.168.1.1:6443', { HTTPS_PROXY: P, NO_PROXY: '10.0.0.0/8' }, P],
    [
      'NO_PROXY host:port match',
      'https://api.example.com:6443',
      { HTTPS_PROXY: P, NO_PROXY: 'api.example.com:6443' },
      undefined,
    ],
    [
      'NO_PROXY host:port other port',
      'https://api.example.com:6443',
      { HTTPS_PROXY: P, NO_PROXY: 'api.example.com:443' },
      P,
    ],
    ['nothing set', 'https://api.example.com', {}, undefined],
  ])('%s', (_n, server, env, expected) => {
    expect(proxyFromEnvironment(server, env)).toBe(expected);
  });
});
