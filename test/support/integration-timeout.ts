// Integration tests start real servers and run real workloads: give each test two minutes.
jest.setTimeout(120_000);
