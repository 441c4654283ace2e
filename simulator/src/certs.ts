// The Noise cert chain the server presents: root (trust anchor the app pins in WA_CERT_DETAILS)
// signs an intermediate, the intermediate signs a leaf holding the server's static Noise key.
import type { Baileys } from './baileys';
import type { KeyPair } from './noise';

/** Baileys requires the intermediate's issuer serial to equal WA_CERT_DETAILS.SERIAL, which is 0. */
const ROOT_SERIAL = 0;
const INTERMEDIATE_SERIAL = 1;
const LEAF_SERIAL = 2;
const DAY_SECONDS = 24 * 60 * 60;

export function buildCertChain(wa: Baileys, root: KeyPair, intermediate: KeyPair, serverStatic: KeyPair): Uint8Array {
  const { proto, Curve } = wa;
  const now = Math.floor(Date.now() / 1000);
  const intermediateDetails = proto.CertChain.NoiseCertificate.Details.encode({
    serial: INTERMEDIATE_SERIAL,
    issuerSerial: ROOT_SERIAL,
    key: intermediate.public,
    notBefore: now - DAY_SECONDS,
    notAfter: now + 365 * DAY_SECONDS,
  }).finish();
  const leafDetails = proto.CertChain.NoiseCertificate.Details.encode({
    serial: LEAF_SERIAL,
    issuerSerial: INTERMEDIATE_SERIAL,
    key: serverStatic.public,
    notBefore: now - DAY_SECONDS,
    notAfter: now + 30 * DAY_SECONDS,
  }).finish();
  return proto.CertChain.encode({
    intermediate: { details: intermediateDetails, signature: Curve.sign(root.private, intermediateDetails) },
    leaf: { details: leafDetails, signature: Curve.sign(intermediate.private, leafDetails) },
  }).finish();
}
