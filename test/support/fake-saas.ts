// The fake SaaS lives in local/ (rotor local uses it too).
export * from '../../local/fake-saas';
