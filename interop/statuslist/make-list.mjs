// Makes a signed status list JWT with @sd-jwt/jwt-status-list, an
// implementation independent of Apostille's, for the Go interop test.
// Input (stdin, JSON): {jwk (private EC P-256), kid, uri, iat, exp, ttl,
// bits, statuses: [..]}. Output (stdout, JSON): {jwt, read: [statuses as
// the library reads them back]}.
import { createPrivateKey, sign } from 'node:crypto';
import { StatusList, createHeaderAndPayload, getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const req = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const list = new StatusList(req.statuses, req.bits);
const { header, payload } = createHeaderAndPayload(
  list,
  { sub: req.uri, iat: req.iat, exp: req.exp, ttl: req.ttl },
  { alg: 'ES256', kid: req.kid, typ: 'statuslist+jwt' },
);
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const input = `${b64(header)}.${b64(payload)}`;
const key = createPrivateKey({ key: req.jwk, format: 'jwk' });
const sig = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
const jwt = `${input}.${sig.toString('base64url')}`;

const back = getListFromStatusListJWT(jwt);
const read = req.statuses.map((_, i) => back.getStatus(i));
process.stdout.write(JSON.stringify({ jwt, read }));
