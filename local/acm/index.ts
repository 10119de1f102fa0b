export {
  startAcmStandIn,
  type AcmStandIn,
  type AcmStandInOptions,
  type AcmCertificateView,
} from './stand-in';
