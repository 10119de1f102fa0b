// The throwaway registry lives in local/ (rotor local pushes an image to it too).
export * from '../../local/registry';
