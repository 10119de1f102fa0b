// The throwaway PostgreSQL lives in local/ (rotor local uses it too).
export * from '../../local/postgres';
