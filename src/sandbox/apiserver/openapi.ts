import type { ServerResponse } from 'node:http';
import { parseAccept, sendJson } from './http-util.js';
import { noSuchResource } from './status.js';

/** What client-go asks for; Go's mime parser rejects the `@`, so kube-openapi answers with the dotted form. */
const V2_PROTOBUF_ACCEPT = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
const V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/**
 * An OpenAPI v2 document with no definitions. kubectl apply/edit/create download it before writing; with no
 * schema for a kind they skip client-side validation and build patches from their compiled-in types, which is
 * what they do for any kind a server does not describe. v3 stays 404, so kubectl 1.27+ falls back to v2.
 */
export function serveOpenApi(
  path: string,
  accept: string | undefined,
  res: ServerResponse,
  version: string,
): void {
  if (path !== 'v2') throw noSuchResource();
  if (parseAccept(accept).some((r) => r.type === V2_PROTOBUF_ACCEPT || r.type === V2_PROTOBUF)) {
    // gnostic openapi_v2.Document: field 1 `swagger` = "2.0"; an otherwise empty message.
    const body = Buffer.from([0x0a, 0x03, ...Buffer.from('2.0')]);
    res.writeHead(200, { 'Content-Type': V2_PROTOBUF, 'Content-Length': body.length });
    res.end(body);
    return;
  }
  sendJson(res, 200, { swagger: '2.0', info: { title: 'Kubernetes', version }, paths: {}, definitions: {} });
}
