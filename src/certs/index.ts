export {
  createCertificates,
  nodesMax,
  type CertificateFiles,
  type CertificatesOptions,
  type TlsFilePair,
} from './create-certificates.js';
export { CertificateAuthority, type CertificateSpec, type IssuedPem } from './certificate-authority.js';
