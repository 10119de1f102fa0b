// The image builder lives in local/ (rotor local builds an image too).
export * from '../../../../../local/image-builder';
