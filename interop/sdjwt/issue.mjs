// Issues SD-JWT VCs with @sd-jwt/sd-jwt-vc, an implementation independent
// of Apostille's verifier, for interop_test.go. Usage: node issue.mjs OUTDIR
// Writes issuer.jwk (the issuer's public key) and cases.json: each case an
// SD-JWT (VC) as issued or presented, with the claims it discloses and the
// audience and nonce of its key binding JWT, if any.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { ES256, digest, generateSalt } from '@sd-jwt/crypto-nodejs';

const out = process.argv[2];
if (!out) {
  console.error('usage: node issue.mjs OUTDIR');
  process.exit(2);
}

// Fixed times, so that the Go test verifies at a fixed time too.
const iat = 1767225600; // 2026-01-01T00:00:00Z
const exp = 2082758400; // 2036-01-01T00:00:00Z
const kbIat = 1767229200; // an hour after issuance

const issuer = await ES256.generateKeyPair();
const holder = await ES256.generateKeyPair();
const kid = 'interop-issuer-1';

const sdjwt = new SDJwtVcInstance({
  signer: await ES256.getSigner(issuer.privateKey),
  verifier: await ES256.getVerifier(issuer.publicKey),
  signAlg: ES256.alg,
  hasher: digest,
  hashAlg: 'sha-256',
  saltGenerator: generateSalt,
  kbSigner: await ES256.getSigner(holder.privateKey),
  kbSignAlg: ES256.alg,
});

const claims = {
  iss: 'https://issuer.interop.example',
  iat,
  exp,
  vct: 'urn:eudi:pid:interop:1',
  cnf: { jwk: holder.publicKey },
  given_name: 'Erika',
  family_name: 'Mustermann',
  birthdate: '1963-08-12',
  address: { street_address: 'Heidestraße 17', locality: 'Köln', country: 'DE' },
  nationalities: ['DE', 'AT'],
  age_equal_or_over: { 18: true, 65: false },
};

const frame = {
  _sd: ['given_name', 'family_name', 'birthdate', 'address', 'age_equal_or_over'],
  _sd_decoy: 2,
  address: { _sd: ['street_address', 'locality'], _sd_decoy: 1 },
  nationalities: { _sd: [0, 1] },
  age_equal_or_over: { _sd: ['18', '65'] },
};

const issued = await sdjwt.issue(claims, frame, { header: { kid } });
const kb = { payload: { aud: 'https://verifier.interop.example', nonce: 'interop-nonce-7', iat: kbIat } };

const cases = [
  { name: 'issued, every disclosure', sdjwt: issued,
    disclosed: { given_name: 'Erika', family_name: 'Mustermann', birthdate: '1963-08-12',
      address: { street_address: 'Heidestraße 17', locality: 'Köln', country: 'DE' },
      nationalities: ['DE', 'AT'], age_equal_or_over: { 18: true, 65: false } } },
  { name: 'presented with key binding, name and age only',
    sdjwt: await sdjwt.present(issued, { given_name: true, family_name: true, age_equal_or_over: { 18: true } }, { kb }),
    disclosed: { given_name: 'Erika', family_name: 'Mustermann', age_equal_or_over: { 18: true }, nationalities: [] },
    withheld: ['birthdate', 'address'], aud: kb.payload.aud, nonce: kb.payload.nonce },
  { name: 'presented with key binding, locality and one nationality',
    sdjwt: await sdjwt.present(issued, { address: { locality: true }, nationalities: { 1: true } }, { kb }),
    disclosed: { address: { locality: 'Köln', country: 'DE' }, nationalities: ['AT'] },
    withheld: ['given_name', 'family_name', 'birthdate'], aud: kb.payload.aud, nonce: kb.payload.nonce },
  { name: 'presented without key binding, nothing disclosed',
    sdjwt: await sdjwt.present(issued, {}),
    disclosed: { nationalities: [] }, withheld: ['given_name', 'address', 'age_equal_or_over'] },
];

writeFileSync(join(out, 'issuer.jwk'), JSON.stringify({ ...issuer.publicKey, kid, alg: 'ES256' }));
writeFileSync(join(out, 'cases.json'), JSON.stringify(cases, null, 2));
